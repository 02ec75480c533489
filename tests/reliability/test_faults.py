"""Faults: a crash mid-message, a push channel that keeps failing, and kill -9 of the whole server.

After each, every accepted message has exactly one ticket and every push is delivered once.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.conversation import table
from dispatch import outbox, tickets
from dispatch.store import connect, init_db
from dispatch.users import ensure_user, seed_staff
from settings import Settings
from reliability_helpers import ROOT, TEST_SECRETS, Server, config_file, counts, free_port

ROOT_CONFIG = ROOT / "config.yaml"

REPORT = {"sender": "rider-9", "text": "广场花苑小区3栋的垃圾桶坏了", "msg_id": "wx-crash-1"}


def test_a_crash_mid_message_rolls_back_and_the_retry_succeeds_once(api, db, chat, monkeypatch):
    real = tickets.create_ticket

    def create_then_crash(*args, **kwargs):
        real(*args, **kwargs)              # the ticket, its events and the pushes are written…
        raise RuntimeError("power cut")    # …and the process fails before it can reply

    monkeypatch.setattr(tickets, "create_ticket", create_then_crash)
    status, body = api.post(json=REPORT)
    assert status == 500 and body["ok"] is False and "Traceback" not in body["error"]
    assert counts(db) == {"messages": 0, "tickets": 0, "ticket_events": 0, "outbox": 0}

    monkeypatch.setattr(tickets, "create_ticket", real)
    status, body = api.post(json=REPORT)          # WeChat retries the same message id
    assert status == 200 and "工单" in body["reply"]
    status, again = api.post(json=REPORT)         # …and may retry once more
    assert again["reply"] == body["reply"]
    assert counts(db)["tickets"] == 1 and counts(db)["messages"] == 1
    assert len(chat.pushed("sec-longxi-1")) == 1


def test_a_crash_in_any_handler_leaves_no_message_row(api, db, monkeypatch):
    def broken(turn):
        raise ValueError("bug in a handler")

    monkeypatch.setitem(table.HANDLERS, "help", broken)
    status, _ = api.post(json={"sender": "r2", "text": "帮助", "msg_id": "wx-help-1"})
    assert status == 500
    assert counts(db)["messages"] == 0
    monkeypatch.undo()
    status, body = api.post(json={"sender": "r2", "text": "帮助", "msg_id": "wx-help-1"})
    assert status == 200 and body["reply"]


class FlakySender:
    """A channel that is down until ``up_at``, counting every attempt."""

    def __init__(self, up_at: datetime) -> None:
        self.up_at, self.now = up_at, up_at
        self.attempts: list[datetime] = []
        self.delivered: list[str] = []

    def __call__(self, user: dict, body: str) -> None:
        self.attempts.append(self.now)
        if self.now < self.up_at:
            raise ConnectionError("WeChat API unreachable")
        self.delivered.append(body)


def run_worker(db, sender: FlakySender, start: datetime, minutes: float, tick_seconds: float) -> None:
    """The outbox job, as the scheduler runs it, on a simulated clock."""
    now = start
    while now <= start + timedelta(minutes=minutes):
        sender.now = now
        outbox.deliver_due(db, sender, now)
        now += timedelta(seconds=tick_seconds)


def test_failed_pushes_back_off_and_are_delivered_exactly_once(db):
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    outbox.enqueue(db, "api:sec-longxi-1", "【新工单】#1", t0, None, "assign:1")
    sender = FlakySender(up_at=t0 + timedelta(seconds=30))
    run_worker(db, sender, t0, minutes=5, tick_seconds=1)
    assert sender.delivered == ["【新工单】#1"]
    gaps = [(b - a).total_seconds() for a, b in zip(sender.attempts, sender.attempts[1:])]
    assert gaps == sorted(gaps) and gaps[0] >= 5, gaps            # each wait at least as long as the last
    row = db.execute("SELECT sent_at, attempts, last_error FROM outbox").fetchone()
    assert row[0] and row[1] == len(sender.attempts) and row[2] is None


def test_a_ten_minute_outage_delays_pushes_but_loses_none(db):
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    for n in range(1, 21):
        outbox.enqueue(db, "api:sec-longxi-1", f"push {n}", t0, None, f"k{n}")
    sender = FlakySender(up_at=t0 + timedelta(minutes=10))
    run_worker(db, sender, t0, minutes=25, tick_seconds=10)
    assert sorted(sender.delivered) == sorted(f"push {n}" for n in range(1, 21))   # each once
    assert len(sender.attempts) < 20 * 12       # backed off, not hammering the API every tick
    last_sent = max(r[0] for r in db.execute("SELECT sent_at FROM outbox"))
    assert last_sent <= (t0 + timedelta(minutes=21)).strftime("%Y-%m-%dT%H:%M:%SZ")   # within one max backoff


@pytest.fixture
def standin():
    """The WeChat API stand-in, in this process: it counts every push the server's worker sends."""
    from standin import Accounts, serve_in_thread

    from settings import load_config

    w = load_config(ROOT_CONFIG).settings.wechat
    server, state, _ = serve_in_thread(Accounts(w.app_id, TEST_SECRETS["wechat"]["app_secret"]))
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()


@pytest.fixture
def server(tmp_path: Path, standin):
    """A real `sandan serve` process with a fast outbox job, its store seeded with the demo staff."""
    from settings import load_config

    key = "reliability-key"
    config = config_file(tmp_path, web={"api_key": key}, wechat={"api_base_url": f"{standin[0]}/cgi-bin/"},
                         dispatch={"outbox_interval_seconds": 0.2, "scheduler_lease_seconds": 2,
                                   "outbox_claim_seconds": 3})
    db = init_db(tmp_path / "sandan.db")
    seed_staff(db, load_config(config).deployment, datetime.now(timezone.utc))
    db.close()
    srv = Server(config, free_port(), tmp_path / "server.log")
    srv.key = key
    yield srv
    srv.stop()


def test_kill_9_with_messages_in_flight_and_pushes_pending(server: Server, standin, tmp_path: Path):
    db = connect(tmp_path / "sandan.db")
    now = datetime.now(timezone.utc)
    for n in range(30):   # pushes to WeChat users, queued before the crash and not yet sent
        ensure_user(db, f"wechat:oPending{n}", now)
        outbox.enqueue(db, f"wechat:oPending{n}", f"pending {n}", now, None, f"pending:{n}")
    server.start()
    messages = [{"sender": f"rider-{n}", "text": f"龙西小区{n + 1}栋楼道灯不亮了", "msg_id": f"wx-{n}"}
                for n in range(24)]
    for m in messages[:8]:
        assert server.request("POST", "/api/messages", m, server.key)[0] == 200

    def keep_sending() -> None:
        for m in messages[8:]:
            try:
                server.request("POST", "/api/messages", m, server.key, timeout=5)
            except OSError:
                return   # the server is gone: WeChat will retry these

    sender = threading.Thread(target=keep_sending)
    sender.start()
    server.kill9()       # mid-request, with the scheduler mid-delivery
    sender.join(10)

    server.start()
    replies = {}
    for m in messages:   # WeChat retries every message it did not get a reply for; we replay them all
        status, body = server.request("POST", "/api/messages", m, server.key)
        assert status == 200, body
        replies[m["msg_id"]] = body["reply"]
    assert all("工单" in r or "转交" in r for r in replies.values()), replies

    # The pushes the dead process had claimed wait out its claim (outbox_claim_seconds, 3 s here) and go out
    # then; only one a sender thread was sending when it died can arrive twice. The rest go out once.
    deadline = datetime.now(timezone.utc) + timedelta(seconds=30)
    while db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]:
        assert datetime.now(timezone.utc) < deadline, "pushes still pending 30 s after restart"
        threading.Event().wait(0.2)
    received = Counter(s["text"] for s in standin[1].sent if s["text"].startswith("pending "))
    assert all(received[f"pending {n}"] >= 1 for n in range(30)), received
    twice = [n for n in range(30) if received[f"pending {n}"] > 1]
    assert len(twice) <= Settings().dispatch.outbox_senders, received

    rows = list(db.query("SELECT channel_msg_id, ticket_id FROM messages WHERE channel = 'api' "
                         "AND channel_msg_id LIKE 'wx-%'"))
    assert sorted(r["channel_msg_id"] for r in rows) == sorted(m["msg_id"] for m in messages)
    assert all(r["ticket_id"] for r in rows), "an accepted message without its ticket"
    ticket_ids = {r[0] for r in db.execute("SELECT id FROM tickets")}
    assert ticket_ids == {r["ticket_id"] for r in rows}, "a ticket without its message (a duplicate)"
    db.close()
