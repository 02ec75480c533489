"""Real concurrent clients on each store: what SQLite's single writer gave for free holds on PostgreSQL too.

Each client is a thread with its own store connection, as each web request or web machine has, all
released at once by a barrier. On PostgreSQL these need scripts/test.sh's throwaway cluster.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Callable

import pytest

from bot.conversation import handle
from bot.services import Services
from bot.inbound import Inbound
from dispatch import invites, points
from dispatch.clock import utcnow
from dispatch.store import connect
from dispatch.users import ensure_user, seed_staff

@pytest.fixture
def on_store(services: Services, store: str) -> Services:
    settings = services.config.settings.model_copy(update={
        "store": services.config.settings.store.model_copy(update={"url": store if "://" in store else "",
                                                                   "path": store})})
    config = services.config.model_copy(update={"settings": settings})
    db = connect(store)
    seed_staff(db, config.deployment, utcnow())
    db.close()
    return Services(config, services.engine, services.knowledge)


def all_at_once(store: str, count: int, work: Callable[[object, int], str]) -> list[str]:
    """Run ``work(db, i)`` for i in range(count) on ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[str] = [""] * count
    errors: list[BaseException] = []

    def client(i: int) -> None:
        db = connect(store)
        try:
            barrier.wait()
            results[i] = work(db, i)
        except BaseException as e:  # noqa: BLE001 - reported by the test below
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_fifty_redemptions_of_the_last_points_never_overspend(on_store: Services, store: str):
    db = connect(store)
    ensure_user(db, "api:rider", utcnow())
    points.add_entry(db, "api:rider", 30, "测试", utcnow(), "seed")   # exactly one 爱心餐 (30 分)
    db.conn.commit()
    replies = all_at_once(store, 50, lambda conn, i: handle(
        on_store, conn, Inbound("api", "rider", f"redeem-{i}", "兑换 爱心餐"), utcnow()).text)
    assert sum("兑换成功：爱心餐" in r for r in replies) == 1, replies
    assert sum("积分不够" in r for r in replies) == 49
    assert points.balance(db, "api:rider") == 0
    db.close()


def test_twenty_residents_reporting_at_once_make_one_ticket_with_twenty_followers(on_store: Services, store: str):
    replies = all_at_once(store, 20, lambda conn, i: handle(
        on_store, conn, Inbound("api", f"resident{i}", f"same-{i}", "广场花苑小区3栋的垃圾桶坏了"), utcnow()).text)
    db = connect(store)
    tickets = list(db.query("SELECT id, reporters FROM tickets"))
    followers = db.execute("SELECT count(*) FROM ticket_followers").fetchone()[0]
    db.close()
    assert len(tickets) == 1, replies
    assert tickets[0]["reporters"] == 20 and followers == 19   # the first reporter, and 19 who joined
    assert all(f"工单号 {tickets[0]['id']}" in r or f"工单 {tickets[0]['id']}" in r for r in replies), replies


def test_one_invite_code_binds_once(on_store: Services, store: str):
    db = connect(store)
    code = invites.create(db, on_store.config, "grid_secretary", utcnow(), grid_id="longxi-1", display_name="新书记")
    db.conn.commit()
    replies = all_at_once(store, 20, lambda conn, i: handle(
        on_store, conn, Inbound("api", f"person{i}", f"bind-{i}", f"绑定 {code}"), utcnow()).text)
    bound = [row["id"] for row in db.query("SELECT id FROM users WHERE role = 'grid_secretary' AND id LIKE 'api:person%'")]
    used_by = db.execute("SELECT used_by FROM invites WHERE code = ?", [code]).fetchone()[0]
    db.close()
    assert sum("绑定成功" in r for r in replies) == 1, replies
    assert sum("用过" in r for r in replies) == 19
    assert bound == [used_by]


def test_four_workers_delivering_at_once_send_each_push_once(store: str):
    from dispatch import outbox

    db = connect(store)
    now = utcnow()
    for n in range(200):
        ensure_user(db, f"api:u{n % 7}", now)
        outbox.enqueue(db, f"api:u{n % 7}", f"push {n}", now, None, f"push:{n}")
    db.conn.commit()
    sent: list[str] = []
    guard = threading.Lock()

    def send(_user: dict, body: str) -> None:
        with guard:
            sent.append(body)

    all_at_once(store, 4, lambda conn, i: str(outbox.deliver_due(conn, send, now, limit=500)))
    unsent = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    db.close()
    assert sorted(sent) == sorted(f"push {n}" for n in range(200)) and unsent == 0
