"""What a street office sees first: a landing page at /, and an export that carries the result, the rating's
reason, overdue or not, who handled it, and the reporter, masked."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from dispatch.clock import iso
from tests.dispatch.conftest import ticket_number
from tests.web.conftest import Dashboard


@pytest.fixture
def dash(client):
    d = Dashboard(client)
    d.login()
    return d


def test_export_has_result_reason_overdue_handler_and_masked_reporter(chat, dash, db):
    done = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了", name="张阿姨"))
    chat.say("sec-longxi-1", f"接单 {done}")
    chat.say("sec-longxi-1", f"办结 {done} 已更换新垃圾桶")
    chat.say("r1", f"基本满意 {done} 换得有点慢")
    late = ticket_number(chat.say("r2", "广场花苑小区5栋楼道灯不亮了"))
    db.execute("UPDATE tickets SET deadline_at = ? WHERE id = ?", [iso(datetime(2026, 1, 1, tzinfo=timezone.utc)), late])
    db.conn.commit()
    rows = list(csv.DictReader(io.StringIO(dash.client.get("/dashboard/export.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    by_id = {int(r["工单号"]): r for r in rows}
    first, second = by_id[done], by_id[late]
    assert (first["处理结果"], first["评价"], first["评价理由"], first["是否超期"]) == (
        "已更换新垃圾桶", "基本满意", "换得有点慢", "否")
    assert first["办理人"].startswith("龙西社区第一网格党支部（") and first["反映人"] == "张**"
    assert (second["是否超期"], second["处理结果"], second["办理人"]) == ("是", "", "龙西社区第一网格党支部")
    assert second["反映人"] == "用户****"


def test_the_landing_page_says_what_this_is_and_where_to_go(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "居民点单、社区派单、网格接单" in html
    for link in ('href="/dashboard/"', 'href="/open311/v2/services.json"'):
        assert link in html
    assert 'href="/chat"' not in html           # the demo chat is off outside `sandan demo`
