"""The web surface beside the chat: the staff dashboard and the Open311 GeoReport v2 API.

Rule for this package: it only calls into dispatch/ and wording/ (no SQL of its own) and never
holds state between requests; the store connection is the request's (bot.app.get_db).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from bot.conversation import Services
    from sqlite_utils import Database


def get_db() -> "Database":
    from bot.app import get_db as app_db   # late: bot.app imports this package

    return app_db()


def get_services() -> "Services":
    from bot.app import get_services as app_services

    return app_services()


def init_app(app: Flask) -> None:
    """Register the dashboard (with its login), Open311, /health, /ready, /metrics and the security headers."""
    from web import auth, dashboard, headers, health, metrics, open311

    auth.init_app(app)
    dashboard.init_app(app)
    open311.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
    headers.init_app(app)
