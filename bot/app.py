"""The Flask application factory. Nothing is built at import time."""

from __future__ import annotations

import logging
import queue
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlite_utils import Database

from bot import api, errors, groups, webchat
from bot.channels import callbacks
from bot.conversation import Services
from bot.services import build_services
from dispatch.store import connect, init_db, location as store_location
import web


def create_app(config_path: str | Path = "config.yaml", overrides: dict[str, Any] | None = None,
               services: Services | None = None) -> Flask:
    """Build the app for a deployment.

    :param overrides: config sections merged over config.yaml (tests pass a temp store).
    :param services: already-built services, to share one NLU engine between apps in tests.
    """
    services = services or build_services(config_path, overrides)
    config = services.config
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        SECRET_KEY=config.settings.web.secret_key,
        MAX_CONTENT_LENGTH=config.settings.web.max_body_bytes,
        SANDAN_SERVICES=services,
        SANDAN_DB_PATH=str(store_location(config)),
    )
    app.config.from_prefixed_env("SANDAN_FLASK")
    app.json.ensure_ascii = False   # Chinese stays readable in JSON responses
    init_db(app.config["SANDAN_DB_PATH"]).close()
    errors.init_app(app)
    api.init_app(app)
    web.init_app(app)
    callbacks.init_app(app)
    groups.init_app(app)
    webchat.init_app(app)

    app.extensions["sandan_connections"] = queue.LifoQueue()

    @app.teardown_appcontext
    def _end_request(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            if db.conn.in_transaction:
                db.conn.rollback()   # never carry a half-done write into the next request
            app.extensions["sandan_connections"].put(db)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return app


def get_db() -> Database:
    """A store connection for this request, from the app's pool; opened only when all are in use.

    Opening a connection per request cost more than handling the message (connect, the WAL pragma, a
    checkpoint on close: 5 ms of 9). One per thread leaked under a server that starts a thread per
    connection (`sandan serve`): SQLite keeps a closed connection's file open while others hold locks,
    and the process grew 15 MB per thousand messages. A pool holds as many as ran at once, reused.
    """
    from flask import current_app

    if "db" not in g:
        try:
            g.db = current_app.extensions["sandan_connections"].get_nowait()
        except queue.Empty:
            g.db = connect(current_app.config["SANDAN_DB_PATH"])
    return g.db


def get_services() -> Services:
    from flask import current_app

    return current_app.config["SANDAN_SERVICES"]
