"""The ticket page's part of working together: grant an extension, write an internal note (marked 内部)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")


def test_dispatcher_grants_an_extension_and_leaves_a_note_on_the_dashboard(chat, dash, db):
    with freeze_time(datetime(2026, 11, 23, 9, 0, tzinfo=TZ)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
        chat.say("sec-longxi-1", f"延期 {n} 1天 等配件")
    chat.pushed("r1"), chat.pushed("sec-longxi-1")
    html = dash.page(f"/dashboard/tickets/{n}")
    assert "等配件：申请延期 1天，同意后期限为 11月25日 09:00。" in html
    assert "<dt>首接负责</dt><dd id=\"first-receiver\">龙西社区第一网格党支部</dd>" in html
    r = dash.post(f"/dashboard/tickets/{n}/extension", decision="grant")   # the login's session keeps real time
    assert r.status_code == 302
    html = dash.page(f"/dashboard/tickets/{n}")
    assert f"已同意工单 #{n} 延期，新期限 11月25日 09:00，已告知办理人和反映人。" in html
    assert 'id="extension"' not in html
    dash.post(f"/dashboard/tickets/{n}/note", note="配件周三到")
    assert get_ticket(db, n)["deadline_at"] == "2026-11-25T01:00:00Z"
    assert chat.pushed("r1") == [f"您反映的问题（工单 {n}）办理需要多一些时间，预计 11月25日 09:00 前办结，请您谅解。"]
    assert chat.pushed("sec-longxi-1") == [f"【延期已同意】工单 #{n} 新的办结期限是 11月25日 09:00。",
                                           f"【内部备注】工单 #{n} 工作台管理员：配件周三到"]
    html = dash.page(f"/dashboard/tickets/{n}")
    assert '<span class="tag-internal">内部</span> <b>内部备注</b> <span class="actor">管理员</span> 配件周三到' in html
