"""高频问题 on the dashboard: the recurring problems of the window, and one click to open a 主动治理 ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, request, url_for

import wording
from dispatch import recurring
from dispatch.clock import utcnow
from settings import Config
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("governance", __name__, url_prefix="/dashboard/recurring")


def listing(config: Config, now: datetime) -> list[dict[str, Any]]:
    """The overview's 高频问题 rows, with the grid by name."""
    return [{"place": r.place, "category": r.category, "count": len(r.ticket_ids), "ids": r.ticket_ids,
             "community_id": r.community_id or "", "governance": r.governance,
             "grid": config.deployment.handler_name(r.grid_id, None)}
            for r in recurring.find(get_db(), config, now)]


@bp.post("/open")
@login_required
def open_ticket():
    config = get_services().config
    form = request.form
    try:
        problem = recurring.open_governance(get_db(), config, form.get("community_id") or None,
                                              form.get("place", ""), form.get("category", ""),
                                              f"dashboard:{g.user}", utcnow())
    except recurring.NotRecurring:
        flash(wording.NOT_RECURRING, "error")
    except recurring.NoDispatcher:
        flash(wording.GOVERNANCE_NEEDS_DISPATCHER, "error")
    except recurring.AlreadyGoverned as e:
        flash(wording.already_governed(e.ticket_id), "error")
    else:
        flash(wording.governance_opened(problem.governance or 0, len(problem.ticket_ids)), "ok")
        return redirect(url_for("dashboard.ticket_page", ticket_id=problem.governance))
    return redirect(url_for("dashboard.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
