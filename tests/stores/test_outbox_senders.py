"""Several outbox senders at once, on each store: every push goes out once while they all live, one recipient's
pushes in the order queued, and the pushes a killed sender had claimed go out again once its claim runs out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from dispatch import outbox
from dispatch.clock import iso, parse_iso, utcnow
from dispatch.store import connect
from dispatch.users import ensure_user

RECIPIENTS = 7


def queue(store: str, count: int) -> None:
    db = connect(store)
    now = utcnow()
    for n in range(RECIPIENTS):
        ensure_user(db, f"api:u{n}", now)
    for n in range(count):
        outbox.enqueue(db, f"api:u{n % RECIPIENTS}", f"push {n}", now, None, f"push:{n}")
    db.close()


def test_six_senders_send_each_push_once_and_each_recipients_in_order(store: str):
    queue(store, 300)
    sent: list[tuple[str, int]] = []
    guard, barrier = threading.Lock(), threading.Barrier(6)
    now = utcnow()

    def send(user: dict, body: str) -> None:
        time.sleep(0.001)                       # a network call: the other senders run meanwhile
        with guard:
            sent.append((user["id"], int(body.split()[1])))

    def sender(n: int) -> None:
        db = connect(store)
        barrier.wait()
        while outbox.deliver_due(db, send, now, holder=f"sender-{n}", batch=5):
            pass
        db.close()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(n for _, n in sent) == list(range(300))          # every push, none twice
    for user in {u for u, _ in sent}:
        mine = [n for u, n in sent if u == user]
        assert mine == sorted(mine), user                            # as queued, though sent by six senders
    db = connect(store)
    by = dict(db.execute("SELECT claimed_by, count(*) FROM outbox GROUP BY claimed_by").fetchall())
    unsent = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    db.close()
    assert unsent == 0 and sum(by.values()) == 300 and len(by) > 1, by   # the work was shared


KILLED_SENDER = """
import sys, time
from dispatch import outbox
from dispatch.clock import parse_iso
from dispatch.store import connect

store, now, log = sys.argv[1], parse_iso(sys.argv[2]), sys.argv[3]

def send(user, body):
    with open(log, "a") as f:
        f.write(body + "\\n")
    time.sleep(3600)                     # stuck in its first send: killed here

outbox.deliver_due(connect(store), send, now, holder="doomed", batch=5)
"""


def test_a_killed_senders_pushes_go_out_again_when_its_claim_runs_out(store: str, tmp_path: Path, caplog):
    queue(store, 20)
    now, log = utcnow(), tmp_path / "doomed.log"
    doomed = subprocess.Popen([sys.executable, "-c", KILLED_SENDER, store, iso(now), str(log)],
                              cwd=Path(__file__).resolve().parents[2])
    try:
        for _ in range(600):                  # until it is inside its first send
            if log.exists() and log.read_text():
                break
            time.sleep(0.05)
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
    reached_by_doomed = log.read_text().split("\n")[:-1]
    assert len(reached_by_doomed) == 1
    sent: list[str] = []
    db = connect(store)
    outbox.deliver_due(db, lambda _u, body: sent.append(body), now, holder="alive", claim_seconds=60)
    claimed = [r[0] for r in db.execute("SELECT body FROM outbox WHERE claimed_by = 'doomed' ORDER BY id")]
    assert claimed == [f"push {n}" for n in range(5)]           # its five wait for their claim to run out,
    assert sorted(sent) == sorted(f"push {n}" for n in range(20) if n % RECIPIENTS >= 5)   # and so do
    # those five recipients' later pushes (their order is kept); the other recipients' went out meanwhile
    with caplog.at_level("WARNING", logger="dispatch.outbox"):
        later = now + timedelta(seconds=61)
        outbox.deliver_due(db, lambda _u, body: sent.append(body), later, holder="alive", claim_seconds=60)
    db.close()
    assert sorted(sent) == sorted(f"push {n}" for n in range(20))   # every push went out
    duplicates = set(reached_by_doomed) & set(sent)
    assert duplicates == set(reached_by_doomed)                 # at least once: the one it was sending, twice
    assert sum("claim of doomed" in m and "possible duplicate" in m for m in caplog.messages) == 5


def test_a_claim_written_by_a_clock_days_ahead_strands_no_push(store: str):
    queue(store, 3)
    now = utcnow()
    db = connect(store)
    assert len(outbox.claim(db, "fast-clock", now + timedelta(days=3), batch=5)) == 3   # then it died
    sent: list[str] = []
    outbox.deliver_due(db, lambda _u, body: sent.append(body), now, holder="honest")
    db.close()
    assert sorted(sent) == ["push 0", "push 1", "push 2"]


def test_a_sender_a_few_seconds_behind_never_takes_a_live_claim(store: str):
    queue(store, 3)
    now = utcnow()
    db = connect(store)
    assert len(outbox.claim(db, "ahead", now + timedelta(seconds=10), batch=5)) == 3   # sending them now
    sent: list[str] = []
    outbox.deliver_due(db, lambda _u, body: sent.append(body), now, holder="behind")   # its clock, or its loop,
    db.close()                                                                          # 10 s behind
    assert sent == []
