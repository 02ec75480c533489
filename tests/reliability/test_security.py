"""Every role boundary, tried from the wrong role, is refused — and a refusal never reveals another
person's ticket."""

from __future__ import annotations

import re

import pytest

import wording
from dispatch.tickets import get_ticket


def ticket_number(reply: str) -> int:
    m = re.search(r"工单号 (\d+)", reply)
    assert m, reply
    return int(m.group(1))


@pytest.fixture
def grid_ticket(chat) -> int:
    """A self-handled report routed to 龙西社区第一网格 (sec-longxi-1)."""
    return ticket_number(chat.say("alice", "广场花苑小区3栋的垃圾桶坏了"))


@pytest.fixture
def transferred_ticket(chat) -> int:
    """A street light on a road: transferred to the 路灯所 (dept-ludeng), grid longxi-2 informed."""
    return ticket_number(chat.say("bob", "濂溪路实验小学对面的路灯不亮了"))


UNSEEN = "unseen"   # the refusal reads as for a ticket that does not exist: staff cannot probe which numbers do


@pytest.mark.parametrize("who, command, refusal", [
    ("sec-furong-1", "接单 {n}", UNSEEN),                     # another grid's secretary
    ("sec-longxi-2", "接单 {n}", UNSEEN),                     # the next grid in the same community
    ("sec-furong-1", "办结 {n} 已处理", UNSEEN),
    ("dept-ludeng", "接单 {n}", UNSEEN),                      # a department, on a grid's own work
    ("dispatcher-furong", "办结 {n} 已处理", UNSEEN),
    ("dispatcher-longxi", "办结 {n} 已处理", wording.NOT_ALLOWED),   # sees it (oversees it), may not close it
    ("mallory", "接单 {n}", wording.NOT_STAFF),               # a resident
    ("mallory", "办结 {n} 修好了", wording.NOT_STAFF),
    ("alice", "接单 {n}", wording.NOT_STAFF),                 # even the reporter
])
def test_only_the_assigned_grid_claims_or_closes(chat, db, grid_ticket: int, who: str, command: str,
                                                 refusal: str):
    before = get_ticket(db, grid_ticket)
    reply = chat.say(who, command.format(n=grid_ticket))
    if refusal == UNSEEN:
        assert reply == wording.no_such_ticket(grid_ticket)
        assert chat.say(who, command.format(n=grid_ticket + 1000)) == wording.no_such_ticket(grid_ticket + 1000)
    else:
        assert refusal in reply or reply == refusal
    after = get_ticket(db, grid_ticket)
    assert (after["state"], after["claimed_by"], after["resolution"]) == (
        before["state"], before["claimed_by"], before["resolution"])
    assert chat.pushed("alice") == []          # the reporter is told nothing happened, because nothing did


@pytest.mark.parametrize("who, refusal", [("sec-longxi-2", wording.NOT_ALLOWED),   # informed: sees, may not act
                                          ("sec-longxi-1", "unseen"), ("dept-chengguan", "unseen")])
def test_a_transferred_ticket_is_the_departments_alone(chat, db, transferred_ticket: int, who: str, refusal: str):
    expected = wording.no_such_ticket(transferred_ticket) if refusal == "unseen" else refusal
    assert chat.say(who, f"接单 {transferred_ticket}") == expected
    assert get_ticket(db, transferred_ticket)["claimed_by"] is None


@pytest.mark.parametrize("who", ["mallory", "bob", "sec-furong-1", "dept-ludeng", "dispatcher-furong"])
def test_another_persons_ticket_reads_as_not_found(chat, grid_ticket: int, who: str):
    reply = chat.say(who, f"进度 {grid_ticket}")
    assert reply == wording.no_such_ticket(grid_ticket)        # the same words as for a ticket that does not exist
    assert "垃圾桶" not in reply
    assert chat.say(who, "进度 424242") == wording.no_such_ticket(424242)


@pytest.mark.parametrize("who", ["alice", "sec-longxi-1", "dispatcher-longxi", "leader"])
def test_the_reporter_and_the_people_in_charge_can_read_it(chat, grid_ticket: int, who: str):
    assert "垃圾桶" in chat.say(who, f"进度 {grid_ticket}")


def test_my_tickets_lists_only_my_own(chat, grid_ticket: int, transferred_ticket: int):
    mine = chat.say("alice", "我的工单")
    assert f"#{grid_ticket}" in mine and f"#{transferred_ticket}" not in mine
    assert chat.say("mallory", "我的工单") == wording.NO_TICKETS


def test_nobody_else_can_rate_my_ticket(chat, db, grid_ticket: int):
    chat.say("sec-longxi-1", f"办结 {grid_ticket} 已更换")
    chat.say("mallory", f"不满意 {grid_ticket} 没修好")
    chat.say("sec-longxi-1", f"满意 {grid_ticket}")
    ticket = get_ticket(db, grid_ticket)
    assert (ticket["state"], ticket["rating"]) == ("resolved", None)
    assert db.execute("SELECT count(*) FROM ratings").fetchone()[0] == 0


def test_a_resident_cannot_read_someone_elses_pushes_without_the_api_key(client):
    r = client.get("/api/inbox?user=api:alice")
    assert r.status_code == 401 and r.get_json()["ok"] is False


def _has_route(app, prefix: str) -> bool:
    return any(rule.rule.startswith(prefix) for rule in app.url_map.iter_rules())


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/tickets", "/dashboard/queue", "/dashboard/export.csv"])
def test_dashboard_pages_need_a_login(app, client, path: str):
    if not _has_route(app, "/dashboard"):
        pytest.skip("the dashboard is not in this build")
    r = client.get(path)
    assert r.status_code in (302, 401)
    if r.status_code == 302:
        assert "/dashboard/login" in r.headers["Location"]
    r = client.get(path, headers={"Accept": "application/json"})
    assert r.status_code in (302, 401)


def test_dashboard_actions_need_a_login(app, client, db, grid_ticket: int):
    if not _has_route(app, "/dashboard"):
        pytest.skip("the dashboard is not in this build")
    r = client.post(f"/dashboard/tickets/{grid_ticket}/assign", data={"target": "grid:furong-1"})
    assert r.status_code in (302, 401, 403)
    assert get_ticket(db, grid_ticket)["grid_id"] == "longxi-1"


@pytest.mark.parametrize("key", [None, "", "wrong"])
def test_open311_post_needs_the_api_key(app, client, db, key):
    if not _has_route(app, "/open311"):
        pytest.skip("Open311 is not in this build")
    form = {"service_code": "环境卫生", "description": "广场花苑小区3栋的垃圾桶坏了", "lat": "29.704",
            "long": "116.004"}
    if key is not None:
        form["api_key"] = key
    r = client.post("/open311/v2/requests.json", data=form)
    assert r.status_code in (401, 403)
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
