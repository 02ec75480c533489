"""Resources are bounded: a store held by another writer, many requests at once. WeChat is answered in time
and its message handled after; connections and request threads do not pile up."""

from __future__ import annotations

import sqlite3

import pytest

import wording
from bot.services import Services
from bot.worker import drain_spool
from standin.client import FlaskTransport, WeChatServer
from tests import postgres_store

RIDER = "oBusy0000000000000000000001"


@pytest.fixture
def services(services: Services) -> Services:
    s = services.config.settings
    settings = s.model_copy(update={
        "wechat": s.wechat.model_copy(update={"writer_wait_seconds": 0.3}),
        "web": s.web.model_copy(update={"pool_size": 3, "max_concurrent_requests": 2, "request_wait_seconds": 0.1}),
        "store": s.store.model_copy(update={"spool_dir": str(services.config.path(s.store.path).parent / "spool")}),
    })
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


@pytest.fixture
def wechat(client, services) -> WeChatServer:
    s = services.config.settings.wechat
    return WeChatServer(FlaskTransport(client), s.token, s.aes_key, s.app_id)


@pytest.mark.skipif(postgres_store.ON_POSTGRES, reason="holds SQLite's one write lock; PostgreSQL has no such lock")
def test_a_held_store_gets_wechat_an_answer_in_time_and_the_message_handled_after(app, wechat, db, services):
    """A 10 s writer lock made replies take 9.8 s, past WeChat's 5: now the wait is bounded and the message kept."""
    holder = sqlite3.connect(app.config["SANDAN_DB_PATH"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")                       # a backup or a shell holding the writer lock
    try:
        reply = wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert reply.status == 200 and reply.text == wording.REPLY_AFTER_BUSY
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert drain_spool(services) == 1
    [ticket] = list(db.query("SELECT id, reporter FROM tickets"))
    assert ticket["reporter"] == f"wechat:{RIDER}"
    [late] = [r[0] for r in db.execute("SELECT body FROM outbox WHERE recipient = ?", [f"wechat:{RIDER}"])]
    assert f"工单号 {ticket['id']}" in late
    assert drain_spool(services) == 0
    assert wechat.replay().text == late                      # WeChat's retry: the same answer, no second ticket
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_the_pool_keeps_at_most_pool_size_connections(app):
    """200 concurrent GETs once left 200 connections in the pool (and 650 MB) for good."""
    from bot.db import POOL, get_db

    contexts = [app.app_context() for _ in range(10)]
    for c in contexts:
        c.push()
        get_db().execute("SELECT 1")
    for c in reversed(contexts):
        c.pop()
    assert app.extensions[POOL].qsize() == 3


def test_requests_beyond_the_limit_wait_their_turn_then_get_503(app, client):
    from bot.capacity import TURNS

    turns = app.extensions[TURNS]
    assert client.get("/open311/v2/services.json").status_code == 200
    turns.acquire()
    turns.acquire()                                         # two requests in flight, the limit
    try:
        r = client.get("/open311/v2/services.json")
        assert r.status_code == 503 and r.get_json()["error"] == "服务器正忙，请稍后再试"
        assert client.get("/health").status_code == 200          # the operator's probe still answers
    finally:
        turns.release()
        turns.release()
    assert client.get("/open311/v2/services.json").status_code == 200
