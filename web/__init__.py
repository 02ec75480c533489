"""The web surface beside the chat: the staff dashboard and the Open311 GeoReport v2 API.

Rule for this package: it only calls into dispatch/ and wording/ (no SQL of its own) and never
holds state between requests; the store connection is the request's (bot.db.get_db).
"""

from __future__ import annotations

from flask import Flask

from bot.db import get_db, get_services

__all__ = ["get_db", "get_services", "init_app"]


def init_app(app: Flask) -> None:
    """Register the dashboard (with its login) and Open311, and make sure the admin can log in."""
    from web import auth, board, dashboard, open311

    auth.init_app(app)
    dashboard.init_app(app)
    open311.init_app(app)
    board.init_app(app)
