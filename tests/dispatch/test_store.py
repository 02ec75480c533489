"""The store's own guarantees: reads through query(), writes that return rows, one pool of connections."""

from __future__ import annotations

import os
import threading

import pytest

from dispatch.store import connect, init_db


def test_query_refuses_a_statement_without_rows_and_keeps_nothing(tmp_path):
    db = init_db(tmp_path / "s.db")
    with pytest.raises(ValueError, match="execute"):
        list(db.query("INSERT INTO users (id, channel, external_id, created_at) VALUES ('api:a', 'api', 'a', 't')"))
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_an_insert_returning_rows_outside_a_transaction_is_committed(tmp_path):
    db = init_db(tmp_path / "s.db")
    rows = list(db.query("INSERT INTO users (id, channel, external_id, created_at) "
                         "VALUES ('api:a', 'api', 'a', 't') RETURNING id, role"))
    assert rows == [{"id": "api:a", "role": "resident"}]
    other = connect(tmp_path / "s.db")
    assert other.execute("SELECT id FROM users").fetchall() == [("api:a",)]


def test_requests_from_short_lived_threads_share_pooled_connections(chat, app):
    """A server that starts a thread per connection (sandan serve) must not open a store connection per
    thread: SQLite keeps each closed one's file open while others hold locks, and memory grew without end."""
    def store_files() -> int:
        path = os.path.realpath(app.config["SANDAN_DB_PATH"])
        return sum(1 for fd in os.listdir("/proc/self/fd")
                   if os.path.realpath(f"/proc/self/fd/{fd}") == path)

    chat.say("r1", "广场花苑小区3栋的垃圾桶坏了")
    before = store_files()
    for n in range(30):
        t = threading.Thread(target=chat.say, args=(f"r{n}", f"广场花苑小区{n + 1}栋楼道灯不亮了"))
        t.start()
        t.join()
    assert store_files() <= before + 1
    assert app.extensions["sandan_connections"].qsize() == 1
