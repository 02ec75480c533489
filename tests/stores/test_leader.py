"""One scheduler leader among candidates, on each store; a stopped or dead leader is replaced at once."""

from __future__ import annotations

import logging
import threading

import pytest

from dispatch.leader import Leader
from dispatch.mutex import Mutex, holding
from dispatch.store import connect

TTL = 30.0


@pytest.fixture
def db(store: str):
    conn = connect(store)
    yield conn
    conn.close()


def test_one_leader_and_a_stopped_one_hands_over_at_once(store: str, db):
    first, second = Leader(store, TTL), Leader(store, TTL)
    assert first.hold(db, 1000.0)
    assert not second.hold(db, 1001.0)
    assert first.hold(db, 1002.0)                   # renewing
    first.release(db)
    assert second.hold(db, 1003.0)                  # at once, not after the 30 s lease
    assert not first.hold(db, 1004.0)


def test_a_dead_leader_is_replaced_at_once(store: str, db):
    first, second = Leader(store, TTL), Leader(store, TTL)
    assert first.hold(db, 1000.0)
    first.mutex._drop()                              # what the kernel or the server does when its process dies
    assert second.hold(db, 1001.0)                   # its lease row still says first until 1030: replaced
    assert db.execute("SELECT value FROM kv WHERE key = 'lease:scheduler'").fetchone()[0] == second.holder


def test_a_stalled_leader_is_replaced_when_its_lease_runs_out_and_stands_down(store: str, db):
    first, second = Leader(store, TTL), Leader(store, TTL)
    assert first.hold(db, 1000.0)
    assert not second.hold(db, 1020.0)
    assert second.hold(db, 1031.0)                   # first stopped renewing (alive, but stuck) for a whole lease
    assert not first.hold(db, 1032.0)                # and, back, it does not take over again
    assert second.hold(db, 1033.0)


def test_a_named_lock_lets_one_holder_in_at_a_time(store: str):
    inside, most = [0], [0]
    guard = threading.Lock()

    def work() -> None:
        with holding(store, "wechat-token"):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            threading.Event().wait(0.01)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert most[0] == 1
    free = Mutex(store, "wechat-token")
    assert free.acquire(wait=False)
    free.release()


def test_each_change_of_lead_is_logged_once_and_in_order(store: str, db, caplog):
    caplog.set_level(logging.WARNING, logger="dispatch.leader")
    first, second = Leader(store, TTL), Leader(store, TTL)
    assert first.hold(db, 1000.0) and first.hold(db, 1001.0)        # renewing says nothing
    assert not second.hold(db, 1002.0)                              # nor does waiting
    first.release(db)
    assert second.hold(db, 1003.0)
    assert [r.getMessage() for r in caplog.records] == [
        f"scheduler lead taken by {first.holder}", f"scheduler lead given up by {first.holder}",
        f"scheduler lead taken by {second.holder}"]


def test_a_candidate_a_moment_behind_the_leader_never_takes_a_live_lease(db):
    from dispatch import lease

    assert lease.hold(db, "leader", 1000.5, TTL)        # renewed on the same tick, a few ms later
    assert not lease.hold(db, "candidate", 1000.0, TTL)
    assert not lease.hold(db, "candidate", 990.0, TTL)  # or by a clock ten seconds slow
    assert lease.holder_of(db)[0] == "leader"
