"""/health says the process answers (liveness); /ready says it can do its work (readiness): the store takes
a write, the scheduler's lease is fresh, and the outbox is moving (backlog and oldest due push under
``ops.ready_outbox_backlog`` / ``ops.ready_outbox_age_seconds``). Red is HTTP 503 with the failing check.
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, jsonify

from dispatch import health
from dispatch.clock import utcnow
from dispatch.store import location
from web import get_db, get_services

bp = Blueprint("health", __name__)


@bp.get("/health")
def live():
    return jsonify({"ok": True})


@bp.get("/ready")
def ready():
    config, now = get_services().config, utcnow()
    ops, db = config.settings.ops, get_db()
    problem = health.store_writable(location(config), now)
    holder, until = health.scheduler_lease(db)
    left = None if until is None else round(until - time.time(), 1)
    backlog, age = health.outbox_backlog(db, now)
    checks = {
        "store": {"ok": problem is None, "error": problem},
        "scheduler": {"ok": left is not None and left >= 0, "holder": holder, "lease_left_seconds": left},
        "outbox": {"ok": backlog <= ops.ready_outbox_backlog and age <= ops.ready_outbox_age_seconds,
                   "backlog": backlog, "oldest_due_seconds": round(age)},
    }
    ok = all(c["ok"] for c in checks.values())
    return jsonify({"ok": ok, "checks": checks}), 200 if ok else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
