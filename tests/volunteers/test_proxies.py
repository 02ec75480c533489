"""帮办代办 through the real app: a secretary files for a resident who cannot type; the filer hears each step until
the resident binds with the code handed over; from then on the resident does, and the phone is never shown whole."""

from __future__ import annotations

import re

from freezegun import freeze_time

from tests.dispatch.conftest import ticket_number
from tests.volunteers.conftest import local


def test_a_proxy_ticket_tells_the_filer_until_the_resident_binds(chat, db):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        assert chat.say("r9", "代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水") == (
            "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。")
        reply = chat.say("dispatcher-longxi", "代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水")
    n = ticket_number(reply)
    code = re.search(r"居民码 ([A-Z0-9]{8})", reply).group(1)
    assert reply == (
        f"已代张阿姨（138****1234）登记。已收到，工单号 {n}，已派给龙西社区第一网格党支部处理，预计 11月25日 09:00 前办结。"
        f"回复「进度 {n}」可随时查看。\n"
        f"请把居民码 {code} 交给张阿姨：在公众号发「绑定 {code}」后，每一步进展会直接告诉张阿姨。在此之前进展发给您，请电话转告。")
    assert "13800001234" not in str(list(db.query("SELECT note FROM ticket_events WHERE ticket_id = ?", [n])))
    chat.pushed("dispatcher-longxi")
    assert chat.pushed("sec-longxi-1")[0].startswith(f"【新工单】#{n} ")
    with freeze_time(local(2026, 11, 23, 9, 30)):
        chat.say("sec-longxi-1", f"处理中 {n} 已约物业师傅下午上门")
    assert chat.pushed("dispatcher-longxi") == [f"您反映的问题（工单 {n}）正在处理中：已约物业师傅下午上门。"]
    with freeze_time(local(2026, 11, 23, 11, 0)):
        assert chat.say("zhang-ayi", f"绑定 {code}") == (
            f"绑定成功！工单 {n} 已关联到您，办理进展会直接告诉您。回复「进度 {n}」可随时查看。")
        assert chat.say("someone", f"绑定 {code}") == "这个邀请码已经用过了，请向社区管理员要一个新的。"
        assert chat.say("zhang-ayi", f"进度 {n}").startswith(f"工单 #{n}：广场花苑小区5栋 水管漏水")
    assert chat.pushed("dispatcher-longxi") == [f"张阿姨已绑定，工单 #{n} 的进展今后直接告诉居民本人，不再发给您。"]
    with freeze_time(local(2026, 11, 23, 16, 0)):
        chat.say("sec-longxi-1", f"办结 {n} 已更换水管接头")
    assert chat.pushed("zhang-ayi") == [
        f"您反映的问题（工单 {n}）已办结：已更换水管接头\n问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"]
    assert chat.pushed("dispatcher-longxi") == []
