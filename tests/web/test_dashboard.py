"""The dashboard through Flask's test client: login, KPIs, escaping, the queue, exports."""

from __future__ import annotations

import csv
import io
import re

import pytest

import wording
from dispatch import throttle, tickets

XSS = "广场花苑小区3栋<script>alert('x')</script>垃圾桶坏了"


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/tickets", "/dashboard/queue", "/dashboard/tickets/1",
                                  "/dashboard/leaderboard", "/dashboard/export.csv"])
def test_every_page_needs_a_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/dashboard/login")
    assert client.get(path, headers={"Accept": "application/json"}).status_code == 401


def test_wrong_password_is_refused(dash):
    dash.post("/dashboard/logout")
    r = dash.login(password="wrong")
    assert r.status_code == 401 and "用户名或密码不对" in r.get_data(as_text=True)
    assert dash.client.get("/dashboard/").status_code == 302


def test_login_then_kpis(chat, dash):
    chat.say("r1", "广场花苑小区3栋的垃圾桶坏了")
    chat.say("r2", "龙西小区5栋楼道灯不亮了")
    html = dash.page("/dashboard/")
    for label in ("受理", "办结率", "按时办结率", "满意率", "在办", "超期"):
        assert label in html
    assert '<div class="kpi"><b>2</b><span>受理（件）</span>' in html
    assert "echarts.min.js" in html and "cdn" not in html.lower()


def test_post_without_csrf_token_is_refused(dash, queued):
    ticket_id = queued("r3", "广场花苑小区3栋的垃圾桶坏了")
    r = dash.client.post(f"/dashboard/tickets/{ticket_id}/assign", data={"target": "grid:longxi-2"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "<h1>表单已过期，请刷新页面再试</h1>" in r.get_data(as_text=True)


def test_a_missing_ticket_is_a_page_in_chinese(dash, client):
    r = dash.client.get("/dashboard/tickets/999")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "没有工单 #999" in r.get_data(as_text=True)
    assert client.get("/api/nothing-here").is_json
    assert client.get("/open311/v2/requests/999.json").get_json()[0]["code"] == 404


def test_user_text_is_escaped(chat, dash, db):
    chat.say("r4", XSS)
    ticket_id = tickets.reporter_tickets(db, "api:r4")[0][0]["id"]
    for page in ("/dashboard/tickets", f"/dashboard/tickets/{ticket_id}", "/dashboard/tickets?q=<script>"):
        html = dash.page(page)
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in dash.page(f"/dashboard/tickets/{ticket_id}")


def test_reassign_from_the_queue(chat, dash, db, queued):
    ticket_id = queued("r5", "广场花苑小区3栋的垃圾桶坏了")
    assert f"/dashboard/tickets/{ticket_id}" in dash.page("/dashboard/queue")
    chat.pushed("sec-longxi-2")
    r = dash.post(f"/dashboard/tickets/{ticket_id}/assign", target="grid:longxi-2", back="queue")
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard/queue")
    ticket = tickets.get_ticket(db, ticket_id)
    assert (ticket["state"], ticket["grid_id"]) == ("routed", "longxi-2")
    assert any(f"#{ticket_id}" in m for m in chat.pushed("sec-longxi-2"))
    assert f"/dashboard/tickets/{ticket_id}" not in dash.page("/dashboard/queue")
    assert "管理员" in timeline(dash.page(f"/dashboard/tickets/{ticket_id}"))


def timeline(html: str) -> str:
    """办理经过 as a person reads it: one line per row."""
    rows = re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0), re.S)
    return "\n".join(" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows)


def test_the_timeline_reads_as_chinese_with_names(chat, dash):
    chat.say("r1", "广场花苑小区门口路灯不亮了")
    chat.say("sec-longxi-1", "转交 1 路灯所")
    chat.say("r4", "平东小区8栋下水道堵了")
    chat.say("r5", "平东小区8栋下水道堵了好几天了")
    chat.say("sec-pingdong-1", "办结 2 已疏通")
    chat.say("r4", "满意")
    chat.say("r5", "不满意 还是堵")
    first, second = timeline(dash.page("/dashboard/tickets/1")), timeline(dash.page("/dashboard/tickets/2"))
    assert first.splitlines()[0].endswith("收到反映 反映人r1 广场花苑小区门口路灯不亮了")
    assert " 已派单 系统 " in first.splitlines()[1]
    assert "交给部门 龙西一网格王书记 区城管局路灯维护所" in first
    assert "又有人反映 反映人r5" in second and "另一位反映人评价 反映人r5" in second
    for code in ("to_department", "ludeng", "duplicate", "late_rating", "api:", "system", "待社区审核"):
        assert code not in first + second


def test_a_report_waiting_for_review_says_so_after_it_was_received(chat, dash):
    chat.say("u0", "龙西小区那边有点问题你们看看")
    rows = timeline(dash.page("/dashboard/tickets/1")).splitlines()
    assert ["收到反映" in rows[0], "转社区审核 系统" in rows[1]] == [True, True]


def test_filters_narrow_the_list(chat, dash):
    chat.say("r6", "广场花苑小区3栋的垃圾桶坏了")
    chat.say("r7", "森工大厦小区2栋电梯坏了")
    html = dash.page("/dashboard/tickets?grid=furong-1")
    assert "电梯" in html and "垃圾桶" not in html
    html = dash.page("/dashboard/tickets?q=垃圾桶")
    assert "垃圾桶" in html and "电梯" not in html
    assert "没有符合条件的工单" in dash.page("/dashboard/tickets?state=closed")


def test_csv_and_xlsx_export(chat, dash):
    from openpyxl import load_workbook

    chat.say("r8", "=HYPERLINK(\"x\") 广场花苑小区3栋的垃圾桶坏了")
    r = dash.client.get("/dashboard/export.csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    csv_text = r.get_data(as_text=True)
    assert csv_text.startswith("\ufeff工单号,反映时间,状态,类别,办理方式,紧急程度,社区,网格,部门,地点,楼栋,反映内容")
    assert "'=HYPERLINK" in csv_text   # a formula is not run when the file is opened
    row = next(csv.reader(io.StringIO(csv_text.splitlines()[1])))
    assert row[2:9] == ["已派单，待接单", "环境卫生", "受理自办", "一般", "龙西社区", "龙西社区第一网格党支部", ""]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[1]) and not any(c.endswith("Z") for c in row)
    r = dash.client.get("/dashboard/export.xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.values)
    assert rows[0][0] == "工单号" and len(rows) == 2 and "垃圾桶" in rows[1][11]
    assert (rows[1][2], rows[1][7]) == ("已派单，待接单", "龙西社区第一网格党支部")


def test_leaderboard_page(chat, dash):
    chat.say("r9", "广场花苑小区3栋的垃圾桶坏了", name="快递小李")
    assert "快递小李" in dash.page("/dashboard/leaderboard")


def test_grid_plan_and_publishing_ratings(chat, dash):
    chat.say("r10", "广场花苑小区3栋的垃圾桶坏了")
    html = dash.page("/dashboard/")
    assert html.count("<polygon") == 12
    assert "None" not in html and "龙西社区 龙西社区第二网格党支部 暂无评级</title>" in html
    r = dash.post("/dashboard/ratings/publish")
    assert r.status_code == 302
    pushed = chat.pushed("dispatcher-longxi")
    assert any("网格评星" in m and "龙西社区第一网格党支部" in m for m in pushed)


def test_logout(dash):
    assert dash.post("/dashboard/logout").status_code == 302
    assert dash.client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("target,expected", [("/dashboard/queue", "/dashboard/queue"),
                                             ("//evil.example/x", "/dashboard/"),
                                             ("https://evil.example/", "/dashboard/")])
def test_login_only_returns_to_this_site(anonymous, target, expected):
    r = anonymous.login(next=target)
    assert r.status_code == 302 and r.headers["Location"] == expected


def test_pages_forbid_inline_scripts(dash):
    r = dash.client.get("/dashboard/")
    assert "script-src" not in r.headers["Content-Security-Policy"]   # default-src 'self' covers scripts
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_ticket_filed_from_a_shared_location_shows_where_on_its_page(chat, dash):
    chat.say("r7", "", location=[29.7045, 116.0045])
    chat.say("r7", "这里路灯不亮")
    assert "<dd>广场花苑小区附近</dd>" in dash.page("/dashboard/tickets/1")


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "/ /evil.example",
                                    "/\\/evil.example"])
def test_login_never_returns_to_a_path_a_browser_reads_as_another_site(anonymous, target):
    """`next=/%09/evil.example` was sent on as `Location: //evil.example`."""
    r = anonymous.login(next=target)
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard/"


def test_a_copied_session_cookie_stops_working_at_logout(app, dash):
    copied = dash.client.get_cookie("session").value
    assert dash.client.get("/dashboard/").status_code == 200
    assert dash.post("/dashboard/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    r = thief.get("/dashboard/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/dashboard/login")


def test_wrong_passwords_lock_the_name_out_and_every_attempt_is_logged(anonymous, caplog):
    with caplog.at_level("INFO", logger="web.auth"):
        for _ in range(5):
            r = anonymous.login(password="guess")
            assert r.status_code == 401 and wording.LOGIN_FAILED in r.get_data(as_text=True)
        r = anonymous.login(password="guess")
        assert r.status_code == 401 and "分钟后再试" in r.get_data(as_text=True)
        r = anonymous.login()                              # even the right password waits out the lock
        assert r.status_code == 429 and "分钟后再试" in r.get_data(as_text=True)
    failed = [m for m in caplog.messages if "login failed for 'admin'" in m]
    assert len(failed) == 6 and "locked for 30 s" in failed[-1]
    assert any("login refused for 'admin'" in m for m in caplog.messages)
    assert not any("guess" in m or "sandan-demo" in m for m in caplog.messages)


def test_a_lock_doubles_at_each_further_failure_and_a_success_clears_it(db, services):
    limits = services.config.settings.limits
    locks = [throttle.failed(db, "login:x", 1000.0 + i, limits)[1] for i in range(9)]
    assert locks == [0, 0, 0, 0, 0, 30, 60, 120, 240]
    assert throttle.locked_for(db, "login:x", 1008.0 + 100) == pytest.approx(140)
    throttle.succeeded(db, "login:x")
    assert throttle.locked_for(db, "login:x", 1009.0) == 0


def test_a_control_character_in_one_report_does_not_break_the_export(chat, dash):
    """One \\x01 in any report made export.xlsx a 500 for everyone."""
    from openpyxl import load_workbook

    chat.say("r8", "广场花苑小区3栋的垃圾桶坏了\x01\x1b[31m")
    r = dash.client.get("/dashboard/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert any("广场花苑小区3栋的垃圾桶坏了[31m" in str(cell) for cell in rows[1])


@pytest.mark.parametrize("path", ["/dashboard/tickets?before=99999999999999999999999",
                                  "/dashboard/tickets?before=²", "/dashboard/tickets/99999999999999999999999",
                                  "/dashboard/media/99999999999999999999999"])
def test_numbers_too_big_for_the_store_are_not_a_500(dash, path):
    assert dash.client.get(path).status_code in (200, 404)
