"""The request's store connection and the process's services, for request code (api, channels, web/).

The app factory (bot/app.py) puts both in place; everything that serves a request reads them from here,
so nothing imports the factory.
"""

from __future__ import annotations

import queue

from flask import current_app, g
from sqlite_utils import Database

from bot.services import Services
from dispatch.store import connect

POOL = "sandan_connections"


def get_db() -> Database:
    """A store connection for this request, from the app's pool; opened only when all are in use.

    Opening a connection per request cost more than handling the message (connect, the WAL pragma, a
    checkpoint on close: 5 ms of 9). One per thread leaked under a server that starts a thread per
    connection (`sandan serve`): SQLite keeps a closed connection's file open while others hold locks,
    and the process grew 15 MB per thousand messages. A pool holds as many as ran at once, reused.
    """
    if "db" not in g:
        try:
            g.db = current_app.extensions[POOL].get_nowait()
        except queue.Empty:
            g.db = connect(current_app.config["SANDAN_DB_PATH"])
    return g.db


def end_request(_exc: BaseException | None) -> None:
    """Return the request's connection to the pool, never with a half-done write in it; beyond
    web.pool_size it is closed (200 concurrent requests once left 200 connections, and 650 MB, for good)."""
    db = g.pop("db", None)
    if db is not None:
        if db.conn.in_transaction:
            db.conn.rollback()
        db.writer_wait = None
        try:
            current_app.extensions[POOL].put_nowait(db)
        except queue.Full:
            db.close()


def init_app(app) -> None:
    app.extensions[POOL] = queue.LifoQueue(maxsize=app.config["SANDAN_SERVICES"].config.settings.web.pool_size)
    app.teardown_appcontext(end_request)


def get_services() -> Services:
    return current_app.config["SANDAN_SERVICES"]
