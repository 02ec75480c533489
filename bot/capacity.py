"""How many requests run at once (web.max_concurrent_requests); the rest wait web.request_wait_seconds for
a turn, then get 503. A threaded server starts a thread per connection with no limit: 608 threads once
queued behind a held store lock, each holding its request and a connection.
"""

from __future__ import annotations

import threading

from flask import Flask, abort, current_app, g, request

TURNS = "sandan_turns"
#: An operator's probes answer even when the server is full: that is when they matter.
PROBES = ("/health", "/ready", "/metrics")


def _take_turn() -> None:
    if request.path in PROBES:
        return
    web = current_app.config["SANDAN_SERVICES"].config.settings.web
    if not current_app.extensions[TURNS].acquire(timeout=web.request_wait_seconds):
        abort(503)
    g.sandan_turn = True


def _give_back(_exc: BaseException | None) -> None:
    if g.pop("sandan_turn", False):
        current_app.extensions[TURNS].release()


def init_app(app: Flask) -> None:
    web = app.config["SANDAN_SERVICES"].config.settings.web
    app.extensions[TURNS] = threading.BoundedSemaphore(web.max_concurrent_requests)
    app.before_request(_take_turn)
    app.teardown_request(_give_back)
