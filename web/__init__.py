"""The web surface beside the chat: the staff dashboard and the Open311 GeoReport v2 API.

Rule for this package: it only calls into dispatch/ and wording/ (no SQL of its own) and never
holds state between requests; the store connection is the request's (bot.db.get_db).
"""

from __future__ import annotations

from flask import Flask

from bot.db import get_db, get_services

__all__ = ["get_db", "get_services", "init_app"]


def init_app(app: Flask) -> None:
    """Register the dashboard (with its login), Open311, the public board, /health, /ready, /metrics and the
    security headers."""
    from web import (auth, board, dashboard, headers, health, landing, metrics, open311, posters, proxies, sessions,
                     wishes)

    sessions.init_app(app)
    auth.init_app(app)
    dashboard.init_app(app)
    posters.init_app(app)      # 帮办二维码
    proxies.init_app(app)      # 帮办代办
    wishes.init_app(app)       # 微心愿
    open311.init_app(app)
    board.init_app(app)
    health.init_app(app)
    landing.init_app(app)
    metrics.init_app(app)
    headers.init_app(app)
