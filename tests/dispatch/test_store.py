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


def _other_process_holds_the_writer_file(path) -> int:
    """An open file of its own on the lock file: to flock, the same as another process holding it."""
    import fcntl

    fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _insert(db, name: str) -> None:
    db.execute("INSERT INTO users (id, channel, external_id, created_at) VALUES (?, 'api', ?, 't')",
               [f"api:{name}", name])


def test_a_bounded_writer_wait_gives_up_then_the_next_writer_gets_the_file_when_it_is_let_go(tmp_path):
    """A callback's bounded wait for the writer file: WriterBusy while another process holds it; a writer that
    waits when it is let go gets it (handed over by the wait still blocked from before), and nothing stays held."""
    import fcntl

    from dispatch.store import WriterBusy, transaction

    path = tmp_path / "s.db"
    db = init_db(path)
    db.writer_wait = 0.05
    holder = _other_process_holds_the_writer_file(path)
    with pytest.raises(WriterBusy):
        with transaction(db):
            _insert(db, "a")
    done = threading.Event()

    def write() -> None:
        waiting = connect(path)
        waiting.writer_wait = 30
        with transaction(waiting):
            _insert(waiting, "b")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.2)                         # still held by the other process
    os.close(holder)                                  # let go: the waiting writer gets the file
    writer.join(30)
    assert done.is_set()
    assert [r[0] for r in db.execute("SELECT id FROM users")] == ["api:b"]
    free = os.open(f"{path}-writer.lock", os.O_RDWR)
    fcntl.flock(free, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody in this process kept it
    os.close(free)


def test_a_nested_block_without_a_savepoint_fails_with_its_transaction(tmp_path):
    from dispatch.store import transaction

    db = init_db(tmp_path / "s.db")
    with pytest.raises(RuntimeError):
        with transaction(db):
            _insert(db, "outer")
            with transaction(db, savepoint=False):
                _insert(db, "inner")
                raise RuntimeError("the report could not be filed")
    with transaction(db):
        _insert(db, "kept")
        with transaction(db, savepoint=False):
            _insert(db, "inner")
    with transaction(db, savepoint=False):             # on its own it is a transaction as usual
        _insert(db, "alone")
    assert sorted(r[0] for r in db.execute("SELECT id FROM users")) == ["api:alone", "api:inner", "api:kept"]
