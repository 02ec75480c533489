"""The rating in two parts, in one short reply: solved or not (解决率) and satisfied or not (满意率). Either
half alone works; 未解决 reopens as 不满意 does; a bare answer rates the ticket last shown."""

from __future__ import annotations

from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number

BIN = "广场花苑小区3栋的垃圾桶坏了"
LAMP = "广场花苑小区6栋楼道灯不亮"


def resolved(chat, sender: str, text: str) -> int:
    n = ticket_number(chat.say(sender, text))
    chat.say("sec-longxi-1", f"办结 {n} 已处理")
    return n


def test_solved_and_satisfied_in_one_reply(chat, db):
    n = resolved(chat, "r1", BIN)
    assert chat.pushed("r1")[-1] == (f"您反映的问题（工单 {n}）已办结：已处理\n"
                                     "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。")
    assert chat.say("r1", "已解决 满意") == f"谢谢您的评价！工单 {n} 已完结。"
    t = get_ticket(db, n)
    assert (t["state"], t["rating"], t["solved"]) == ("closed", "满意", 1)


def test_not_solved_reopens_whatever_the_satisfaction(chat, db):
    n = resolved(chat, "r1", BIN)
    chat.pushed("sec-longxi-1")
    assert chat.say("r1", "没解决 基本满意 桶还是坏的") == f"抱歉问题还没解决。工单 {n} 已重新交办整改，社区会跟进督促。"
    t = get_ticket(db, n)
    assert (t["state"], t["rating"], t["solved"]) == ("reopened", "基本满意", 0)
    [push] = chat.pushed("sec-longxi-1")
    assert push.startswith(f"【差评整改】工单 #{n} 反映人说问题没解决，意见：桶还是坏的。请于 ")


def test_either_half_alone(chat, db):
    n = resolved(chat, "r1", BIN)
    m = resolved(chat, "r2", LAMP)
    k = resolved(chat, "r3", "广场花苑小区8栋的垃圾桶坏了")
    # 满意 alone counts as solved; 未解决 alone reopens; 已解决 alone closes and asks the other half once
    assert chat.say("r1", "满意") == f"谢谢您的评价！工单 {n} 已完结。"
    assert chat.say("r2", "未解决") == f"抱歉问题还没解决。工单 {m} 已重新交办整改，社区会跟进督促。"
    assert chat.say("r3", "已解决") == (f"谢谢！工单 {k} 已完结。对这次办理满意吗？回复「满意」「基本满意」或「不满意」。")
    assert chat.say("r3", "基本满意") == f"已记下工单 {k} 的评价「已解决 基本满意」，谢谢您！"
    assert [(get_ticket(db, x)["rating"], get_ticket(db, x)["solved"]) for x in (n, m, k)] == [
        ("满意", 1), (None, 0), ("基本满意", 1)]


def test_a_bare_two_part_rating_rates_the_ticket_last_shown(chat, db):
    first = resolved(chat, "r1", BIN)
    second = resolved(chat, "r1", LAMP)
    assert chat.say("r1", f"进度 {first}").endswith("问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」。")
    assert chat.say("r1", "已解决 不满意 拖得太久") == (f"抱歉没让您满意。工单 {first} 已重新交办整改，社区会跟进督促。\n"
                                                  f"您还有工单 {second} 待评价，回复「已解决 满意 {second}」或「未解决 不满意 {second}」即可。")
    assert (get_ticket(db, first)["state"], get_ticket(db, second)["state"]) == ("reopened", "resolved")
    assert get_ticket(db, first)["solved"] == 1        # solved, but too slowly: 解决率 and 满意率 apart
