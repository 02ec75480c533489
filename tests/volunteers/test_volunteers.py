"""Volunteers through the real app: bound by invite, roster kept from chat, 征集 → 认领 (first wins, also with
ten at once) → 完成 with a photo → 确认, the reporter asked to rate, points and service hours in 积分."""

from __future__ import annotations

from click.testing import CliRunner
from freezegun import freeze_time

from bot.cli import cli
from tests.conftest import ROOT
from tests.dispatch.conftest import ticket_number
from tests.volunteers.conftest import local, say_at_once


def test_a_volunteer_binds_keeps_a_roster_and_serves_a_task(chat, volunteer_code):
    wu, zhao = volunteer_code("吴阳春"), volunteer_code("赵敏")
    with freeze_time(local(2026, 11, 23, 9, 0)):
        assert chat.say("v-wu", f"绑定 {wu}") == (
            "绑定成功！您现在是龙西社区志愿者。社区征集志愿服务时会推送给您，回复「认领 工单号」即可。"
            "发「我的服务时间 周末」「我的特长 水电维修」登记，方便社区找到合适的人。")
        chat.say("v-zhao", f"绑定 {zhao}")
        assert chat.say("v-wu", "我的服务时间 周末") == "已登记。吴阳春的志愿者资料：特长 未填；服务时间 周末。"
        assert chat.say("v-wu", "我的特长：水电维修") == "已登记。吴阳春的志愿者资料：特长 水电维修；服务时间 周末。"
        assert chat.say("r1", "我的服务时间 周末") == (
            "「认领」征集任务需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。")
        n = ticket_number(chat.say("r1", "广场花苑小区3栋楼道灯泡坏了"))
    for person in ("r1", "sec-longxi-1", "dispatcher-longxi"):
        chat.pushed(person)
    with freeze_time(local(2026, 11, 23, 9, 10)):
        assert chat.say("v-wu", f"认领 {n}") == f"工单 #{n} 没有向您所在社区征集志愿者，暂时不能认领。"
        assert chat.say("r1", f"征集 {n}") == "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。"
        assert chat.say("sec-furong-1", f"征集 {n}") == f"没有找到工单 {n}，请核对编号；发「我的工单」看看您的工单。"
        assert chat.say("sec-longxi-1", f"征集 {n}") == (   # on a Monday nobody fits by skill or time: both are asked
            f"已向本社区 2 位志愿者征集工单 #{n}，并发到了「龙西社区在职党员报到志愿服务群」，有人认领会告诉您。")
    call = chat.pushed("v-wu")
    assert call == [f"【志愿服务征集】工单 #{n} 物业服务｜广场花苑小区3栋\n广场花苑小区3栋楼道灯泡坏了\n"
                    f"能帮忙的请回复「认领 {n}」，先到先得。"]
    assert chat.pushed("v-zhao") == call
    with freeze_time(local(2026, 11, 23, 9, 12)):
        assert chat.say("v-wu", f"认领 {n}") == (
            f"认领成功！工单 #{n} 交给您了。完成后回复「完成 {n} 做了什么」，可以附上照片。")
        assert chat.say("v-zhao", f"认领 {n}") == f"谢谢您！工单 #{n} 已由志愿者吴阳春认领了，下次征集再请您帮忙。"
        assert chat.say("v-zhao", f"完成 {n} 我也来了") == f"工单 #{n} 不是您认领的任务；发「认领 {n}」先认领。"
    assert chat.pushed("sec-longxi-1") == [f"【志愿认领】工单 #{n} 已由志愿者吴阳春认领。"]
    assert chat.pushed("r1") == [f"您反映的问题（工单 {n}）已由志愿者吴阳春接单，正在处理。"]
    with freeze_time(local(2026, 11, 23, 15, 0)):
        assert chat.say("sec-longxi-1", f"确认 {n}") == f"工单 #{n} 还没有待确认的志愿服务（志愿者完成后会发给您）。"
        assert chat.say("v-wu", f"完成 {n} 已换好灯泡，顺便擦了开关", photos=["http://img.example/bulb.jpg"]) == (
            f"辛苦了！工单 #{n} 的完成情况已报给网格，确认后会计入您的志愿服务。")
    assert chat.pushed("sec-longxi-1") == [
        f"【志愿反馈】志愿者吴阳春反馈工单 #{n} 已完成（附照片）：已换好灯泡，顺便擦了开关\n"
        f"核实后请回复「确认 {n}」，将通知反映人评价。"]
    with freeze_time(local(2026, 11, 23, 16, 0)):
        assert chat.say("sec-longxi-1", f"确认 {n}") == f"已确认工单 #{n} 的志愿服务，工单已办结，已通知反映人评价。"
        assert chat.say("sec-longxi-1", f"确认 {n}") == f"工单 #{n} 还没有待确认的志愿服务（志愿者完成后会发给您）。"
    assert chat.pushed("r1") == [
        f"您反映的问题（工单 {n}）已办结（附处理照片）：志愿者吴阳春：已换好灯泡，顺便擦了开关\n"
        "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"]
    assert chat.pushed("v-wu") == [f"工单 #{n} 的志愿服务已确认，感谢您！+20 志愿服务积分，服务时长 1 小时。"]
    with freeze_time(local(2026, 11, 23, 16, 5)):
        assert chat.say("r1", "满意") == f"谢谢您的评价！工单 {n} 已完结。"
        assert chat.say("v-wu", "积分") == (
            f"您的志愿服务积分：20 分\n最近：\n· +20 志愿服务 工单#{n}\n"
            "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。\n"
            "志愿服务：1 次，累计 1 小时\n"
            "星级：还未评星；再得 10 分可评一星")


def test_a_call_goes_to_the_volunteers_who_fit_by_skill_or_are_free_now_and_to_the_volunteers_group(chat, volunteer_code, db):
    people = {"v-dian": ("电工", "我的特长 电工、换灯泡"), "v-wan": ("晚班", "我的服务时间 工作日晚上"),
              "v-zhou": ("周末", "我的服务时间 周末白天"), "v-none": ("未填", "")}
    for sender, (name, profile) in people.items():
        chat.say(sender, f"绑定 {volunteer_code(name)}")
        if profile:
            chat.say(sender, profile)
    with freeze_time(local(2026, 11, 25, 19, 30)):     # a Wednesday evening
        n = ticket_number(chat.say("r1", "龙西小区2栋楼道的灯泡坏了"))
        assert chat.say("dispatcher-longxi", f"征集 {n}") == (
            f"已向本社区 2 位特长或时间合适的志愿者征集工单 #{n}，并发到了「龙西社区在职党员报到志愿服务群」，有人认领会告诉您。")
    call = [f"【志愿服务征集】工单 #{n} 基础设施维护｜龙西小区2栋\n龙西小区2栋楼道的灯泡坏了\n能帮忙的请回复「认领 {n}」，先到先得。"]
    assert chat.pushed("v-dian") == call and chat.pushed("v-wan") == call     # 灯泡 in his 特长; free on weekday evenings
    assert chat.pushed("v-zhou") == [] and chat.pushed("v-none") == []
    [posted] = db.query("SELECT body FROM outbox WHERE recipient = 'group:longxi-volunteers'")
    assert posted["body"] == call[0]
    with freeze_time(local(2026, 11, 25, 19, 40)):   # anyone of the community may still take it
        assert chat.say("v-zhou", f"认领 {n}").startswith(f"认领成功！工单 #{n} 交给您了。")


def test_ten_volunteers_claim_at_once_and_exactly_one_wins(app, chat, volunteer_code):
    codes = [volunteer_code(f"志愿者{i}") for i in range(10)]
    for i, code in enumerate(codes):
        chat.say(f"v{i}", f"绑定 {code}")
    n = ticket_number(chat.say("r1", "广场花苑小区3栋楼道堆满了杂物"))
    chat.say("dispatcher-longxi", f"征集 {n}")
    replies = say_at_once(app, [(f"v{i}", f"认领 {n}") for i in range(10)])
    winners = [i for i, r in replies.items() if r.startswith("认领成功")]
    assert len(replies) == 10 and len(winners) == 1, replies
    for i, reply in replies.items():
        if i != winners[0]:
            assert reply == f"谢谢您！工单 #{n} 已由志愿者志愿者{winners[0]}认领了，下次征集再请您帮忙。"


def test_the_cli_prints_a_volunteer_invite(tmp_path):
    db_path = tmp_path / "cli.db"
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "path: var/sandan.db", f"path: {db_path}").replace("deployment_file: data/", f"deployment_file: {ROOT}/data/")
        .replace("knowledge_file: data/", f"knowledge_file: {ROOT}/data/"), encoding="utf-8")
    ok = CliRunner().invoke(cli, ["invite", "--config", str(config), "--role", "volunteer", "--community", "longxi",
                                  "--name", "吴阳春"])
    assert ok.exit_code == 0 and len(ok.stdout.strip()) == 8, ok.output
    bad = CliRunner().invoke(cli, ["invite", "--config", str(config), "--role", "volunteer", "--grid", "longxi-1"])
    assert bad.exit_code != 0 and "volunteer takes --community only; drop --grid" in bad.output
