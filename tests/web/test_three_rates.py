"""12345's 三率 (响应率, 解决率, 满意率) through the real app: on the dashboard per community and grid, on the
ticket page (time to claim), in the weekly summary, and in the grid rating 红/蓝/黄."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from dispatch import digests, stats
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_three_rates_from_claims_and_two_part_ratings(chat, anonymous, db, services):
    config = services.config
    with freeze_time(local(2026, 11, 23, 9, 0)):                     # a Monday: 2 working hours to claim
        quick = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
        slow = ticket_number(chat.say("r2", "广场花苑小区6栋楼道灯不亮"))
    with freeze_time(local(2026, 11, 23, 9, 30)):
        chat.say("sec-longxi-1", f"接单 {quick}")
        chat.say("sec-longxi-1", f"办结 {quick} 已换新桶")
        assert chat.say("r1", "已解决 满意") == f"谢谢您的评价！工单 {quick} 已完结。"
    with freeze_time(local(2026, 11, 23, 14, 30)):                    # past its limit (11:00)
        chat.say("sec-longxi-1", f"接单 {slow}")
        chat.say("sec-longxi-1", f"办结 {slow} 已报修")
        assert chat.say("r2", "没解决 基本满意") == f"抱歉问题还没解决。工单 {slow} 已重新交办整改，社区会跟进督促。"
    with freeze_time(local(2026, 11, 23, 15, 0)):
        dash = anonymous
        assert dash.login().status_code == 302           # a session of the frozen day
        html = dash.page("/dashboard/?start=2026-11-23&end=2026-11-23")
        late = dash.page(f"/dashboard/tickets/{slow}")
        fast = dash.page(f"/dashboard/tickets/{quick}")
    for value, label in (("50.0%", "响应率"), ("50.0%", "解决率"), ("100.0%", "满意率"), ("2 小时", "平均接单用时")):
        assert f"<div class=\"kpi\"><b>{value}</b><span>{label}</span></div>" in html
    assert ('<tr class="community"><td><b>龙西社区</b></td><td>2</td><td>50.0%</td><td>50.0%</td><td>100.0%</td></tr>'
            in html)
    assert "<tr><td>龙西社区第一网格党支部</td><td>2</td><td>50.0%</td><td>50.0%</td><td>100.0%</td></tr>" in html
    assert ('<dd id="claim">2026-11-23 14:30，用时 3 小时 30 分钟（工作时间）（超过接单时限 2026-11-23 11:00）</dd>'
            in late)
    assert '<dd id="claim">2026-11-23 09:30，用时 30 分钟（工作时间）</dd>' in fast
    # the rating: 办结率, 按时, activity and 满意率 are full marks; 响应率 and 解决率 (0.15 each) are half
    [grid] = [g for g in stats.grid_ratings(db, config, local(2026, 11, 23, 0, 0), local(2026, 11, 24, 0, 0),
                                            local(2026, 11, 23, 15, 0)) if g.grid_id == "longxi-1"]
    assert (grid.response_rate, grid.resolution_rate, grid.score, grid.colour) == (0.5, 0.5, 85.0, "红")
    chat.pushed("dispatcher-longxi")
    digests.weekly_summary(db, config, local(2026, 11, 23, 15, 0))
    [summary] = chat.pushed("dispatcher-longxi")
    lines = summary.splitlines()
    assert lines[1] == "本周新收工单响应率 50%，解决率 50%，满意率 100%"
    assert "· 龙西社区第一网格党支部：在办 1，超期 0；响应率 50%，解决率 50%，满意率 100%" in lines
