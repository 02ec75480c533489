"""The dashboard's part of working together: a ticket's 延期申请 (grant or refuse), internal notes (内部),
its 协办 parts and its 首接负责 unit. The ticket page (web/dashboard.py) shows ``ticket_extras``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, request, url_for

import wording
from dispatch import extensions, notes, parts, tickets
from dispatch.clock import local_text, utcnow
from settings import Config
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("cooperation", __name__, url_prefix="/dashboard/tickets")


def ticket_extras(config: Config, ticket: dict[str, Any]) -> dict[str, Any]:
    """What the ticket page shows beside the ticket: the waiting extension, the 协办 parts, the first receiver."""
    db = get_db()
    tz = config.settings.dispatch.timezone
    request_row = extensions.pending(db, ticket["id"])
    extension = None
    if request_row:
        extension = {**request_row, "span": wording.extension_span(request_row["amount"], request_row["unit"]),
                     "new": wording.deadline_text(local_text(request_row["new_deadline"], tz))}
    return {"extension": extension, "first_receiver": parts.first_receiver(db, config, ticket),
            "parts": [{**p, "name": config.deployment.handler_name(None, p["department_id"])}
                      for p in parts.of_ticket(db, ticket["id"])]}


def is_internal(kind: str) -> bool:
    return kind == notes.KIND


@bp.post("/<int:ticket_id>/extension")
@login_required
def decide_extension(ticket_id: int):
    config, db = get_services().config, get_db()
    grant = request.form.get("decision") == "grant"
    try:
        ticket = extensions.decide(db, config, ticket_id, f"dashboard:{g.user}", grant,
                                   request.form.get("note", "").strip()[:200], utcnow())
    except tickets.TicketNotFound:
        abort(404)
    except extensions.NoExtensionPending:
        flash(wording.no_extension_pending(ticket_id), "error")
    else:
        deadline = wording.deadline_text(local_text(ticket["deadline_at"], config.settings.dispatch.timezone))
        flash(wording.extension_granted(ticket_id, deadline) if grant else wording.extension_refused(ticket_id), "ok")
    return redirect(url_for("dashboard.ticket_page", ticket_id=ticket_id))


@bp.post("/<int:ticket_id>/note")
@login_required
def add_note(ticket_id: int):
    text = request.form.get("note", "").strip()[:500]
    user = {"id": f"dashboard:{g.user}", "role": "admin", "display_name": wording.DASHBOARD_STAFF}
    try:
        told = notes.add(get_db(), ticket_id, user, text, utcnow())
    except tickets.TicketNotFound:
        abort(404)
    except tickets.NeedsReason:
        flash(wording.NOTE_HOW, "error")
    else:
        flash(wording.internal_note_saved(ticket_id, told), "ok")
    return redirect(url_for("dashboard.ticket_page", ticket_id=ticket_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
