"""kill -9 of one gunicorn worker mid-request: with WeChat's retries every report is filed once, none twice.

The app runs as deployed (`bot.wsgi:app`, 2 gthread workers) and is sent signed, encrypted safe-mode
messages on /wechat. One report is frozen inside its worker — in its transaction, or after the commit with
the reply unsent — while reports from six other users are on the wire; that worker gets SIGKILL and
gunicorn forks a new one. Then, as WeChat does, every message whose request failed is sent again byte for
byte, and a few that were answered are sent again too.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dispatch.store import connect, init_db
from dispatch.users import seed_staff
from reliability_helpers import Gunicorn, Wire, config_file, free_port, poll_until
from settings import load_config
from standin.client import Reply, WeChatServer

CLIENTS, PER_CLIENT = 6, 4
HELD = 0                                    # the report frozen in the worker that is killed
REPORTS = range(1 + CLIENTS * PER_CLIENT)   # HELD and the ones the clients send around the kill

HOOKS = """import sys
sys.path.insert(0, {folder!r})
from reliability_helpers import HoldOnce
post_worker_init = HoldOnce({openid!r}, {at!r}, {marker!r})
"""


def openid(n: int) -> str:
    return f"oWorkerKill{n:03d}"


def msg_id(n: int) -> int:
    return 7_700_000_000 + n


def text(n: int) -> str:
    return f"龙西小区{n + 1}栋楼道灯不亮了"   # one building each: reports, not duplicates of one another


@dataclass
class Sent:
    request: tuple[dict[str, str], str]   # the signed query and body, to send again byte for byte
    reply: Reply | None                   # None: the connection failed or timed out

    @property
    def answered(self) -> bool:
        return self.reply is not None and self.reply.status == 200


@pytest.fixture(params=["transaction", "reply"])
def gunicorn(request, tmp_path: Path):
    """gunicorn on a fresh store with the demo staff; HELD's first request stops at ``request.param``."""
    config = config_file(tmp_path)
    db = init_db(tmp_path / "sandan.db")
    seed_staff(db, load_config(config).deployment, datetime.now(timezone.utc))
    db.close()
    hooks = tmp_path / "gunicorn_hooks.py"
    hooks.write_text(HOOKS.format(folder=str(Path(__file__).parent), openid=openid(HELD), at=request.param,
                                  marker=str(tmp_path / "held.pid")), encoding="utf-8")
    server = Gunicorn(config, free_port(), tmp_path / "gunicorn.log", hooks)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_kill_9_of_a_worker_mid_request_loses_and_duplicates_nothing(gunicorn: Gunicorn, tmp_path: Path):
    """Every report ends with exactly one message row and one ticket, and every retry gets its ticket's
    number, encrypted; a retry of an answered report gets the same reply as the first time."""
    w = load_config(gunicorn.config).settings.wechat
    sent: dict[int, Sent] = {}

    def send(reports: list[int], on_wire: threading.Event) -> None:
        wechat = WeChatServer(Wire(gunicorn.port, on_sent=on_wire.set), w.token, w.aes_key, w.app_id)
        for n in reports:
            try:
                reply = wechat.text(openid(n), text(n), msg_id(n))
            except (OSError, http.client.HTTPException):
                reply = None
            sent[n] = Sent(wechat.last, reply)

    held = threading.Thread(target=send, args=([HELD], threading.Event()))
    held.start()
    victim = int(poll_until(lambda: (tmp_path / "held.pid").exists() and (tmp_path / "held.pid").read_text(),
                            10, "a worker holding the frozen report"))
    assert victim in gunicorn.workers()

    shares = [list(REPORTS[1 + i::CLIENTS]) for i in range(CLIENTS)]
    on_wire = [threading.Event() for _ in shares]
    clients = [threading.Thread(target=send, args=(share, event)) for share, event in zip(shares, on_wire)]
    for c in clients:
        c.start()
    poll_until(lambda: all(e.is_set() for e in on_wire), 10, "every client's first report on the wire")
    os.kill(victim, signal.SIGKILL)
    for t in [held, *clients]:
        t.join(15)
        assert not t.is_alive(), "a client still waiting 15 s after the kill"
    assert sorted(sent) == list(REPORTS), "a client stopped before sending all its reports"
    poll_until(lambda: len(workers := gunicorn.workers()) == 2 and victim not in workers, 10,
               "gunicorn forking a new worker for the killed one")

    failed = [n for n in REPORTS if not sent[n].answered]
    assert HELD in failed, "the frozen report was answered although its worker was killed"
    assert all(sent[n].reply is None for n in failed), "a request answered with an error, not cut off"
    answered = [n for n in REPORTS if sent[n].answered]
    again = failed + answered[:3]

    wechat = WeChatServer(Wire(gunicorn.port), w.token, w.aes_key, w.app_id)   # WeChat's retries
    retried = {n: wechat.deliver(*sent[n].request) for n in again}

    db = connect(tmp_path / "sandan.db")
    rows = db.execute("SELECT channel_msg_id, ticket_id FROM messages WHERE channel = 'wechat'").fetchall()
    assert sorted(r[0] for r in rows) == sorted(str(msg_id(n)) for n in REPORTS), "a message lost or stored twice"
    ticket_of = dict(rows)
    assert all(ticket_of.values()), "a message stored without its ticket"
    ticket_ids = [r[0] for r in db.execute("SELECT id FROM tickets")]
    assert sorted(ticket_ids) == sorted(ticket_of.values()), "a ticket without its message (a duplicate)"
    db.close()

    for n, reply in retried.items():
        assert reply.status == 200 and "<Encrypt>" in reply.body, (n, reply)
        assert re.search(rf"工单号 {ticket_of[str(msg_id(n))]}\D", reply.text), (n, reply.text)
        if n in answered:
            assert reply.text == sent[n].reply.text, "a retry answered differently from the first time"

    fresh = wechat.text(openid(99), "龙西小区30栋门口垃圾堆了好几天")   # the master still serves new messages
    assert fresh.status == 200 and "工单号" in fresh.text, fresh
    assert gunicorn.proc.poll() is None and len(gunicorn.workers()) == 2
