"""我的工单 (tickets.reporter_tickets): which tickets, in what order, how many, and that the list reads only the
index that holds its columns (bench/scale.py: a resident's first read from disk touched 16 pages before)."""

from __future__ import annotations

from typing import Any

import pytest

from dispatch.store import init_db
from dispatch.tickets import reporter_tickets

AT = "2026-11-23T08:00:00Z"


@pytest.fixture
def store(tmp_path):
    db = init_db(tmp_path / "store.db")
    yield db
    db.close()


def user(db, uid: str) -> None:
    db.execute("INSERT INTO users (id, channel, external_id, created_at) VALUES (?, 'api', ?, ?)", [uid, uid, AT])


def report(db, reporter: str, text: str = "广场花苑小区3栋的垃圾桶坏了", state: str = "routed") -> int:
    sql = ("INSERT INTO tickets (reporter, text, intent, category, handling, urgency, state, created_at, updated_at)"
           " VALUES (?, ?, 'report', '环境卫生', 'grid', '一般', ?, ?, ?)")
    return db.execute(sql, [reporter, text, state, AT, AT]).lastrowid


def follow(db, ticket_id: int, uid: str) -> None:
    db.execute("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?)", [ticket_id, uid])


@pytest.fixture
def people(store):
    for uid in ("api:a", "api:b"):
        user(store, uid)
    return store


def test_own_and_followed_tickets_newest_first_each_once(people):
    db = people
    first = report(db, "api:a", "楼道灯不亮了", "claimed")
    second = report(db, "api:a")
    others = report(db, "api:b", "电梯坏了")
    report(db, "api:b", "路灯不亮了")                    # neither reported nor followed by a
    follow(db, others, "api:a")
    follow(db, second, "api:a")                         # following one's own ticket lists it once
    rows, total = reporter_tickets(db, "api:a")
    assert [r["id"] for r in rows] == [others, second, first] and total == 3
    assert rows[-1] == {"id": first, "state": "claimed", "text": "楼道灯不亮了"}   # the list's columns


def test_nobody_has_no_tickets(people):
    assert reporter_tickets(people, "api:a") == ([], 0)


@pytest.mark.parametrize("reported, followed, limit, shown, total", [
    (3, 0, 10, 3, 3),
    (10, 0, 10, 10, 10),      # exactly the limit: counted, not guessed
    (12, 0, 10, 10, 12),
    (9, 2, 10, 10, 11),       # followed tickets count too
    (12, 0, 5, 5, 12),
])
def test_total_counts_beyond_the_limit(people, reported, followed, limit, shown, total):
    db = people
    mine = [report(db, "api:a") for _ in range(reported)]
    for _ in range(followed):
        follow(db, report(db, "api:b"), "api:a")
    follow(db, mine[0], "api:a")                        # never counted twice
    rows, counted = reporter_tickets(db, "api:a", limit=limit)
    assert len(rows) == shown and counted == total
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)


def test_the_reported_tickets_are_read_from_the_covering_index(people):
    """No table row is read for a ticket the resident reported; only followed tickets are looked up by id."""
    db = people
    follow(db, report(db, "api:b"), "api:a")
    for _ in range(12):
        report(db, "api:a")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    reporter_tickets(db, "api:a")
    db.conn.set_trace_callback(None)
    plans: list[Any] = []
    for sql in statements:
        params = {"u": "api:a", "limit": 10} if ":u" in sql else {}
        plans += [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    assert len(statements) == 2, statements              # the list, then the count (more than the limit)
    assert not [p for p in plans if p.startswith("SCAN") and "subquery" not in p], plans
    reported = [p for p in plans if "tickets" in p and "reporter=" in p]
    assert reported and all("COVERING INDEX tickets_reporter_listing" in p for p in reported), plans
