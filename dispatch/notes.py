"""Internal notes (「备注 12 …」): words between staff on a ticket, never shown or pushed to the reporter.

A note is a ticket event of kind ``internal_note`` without a state change, so the reporter's 进度 (which
reads state changes) and the public lists never show it; the dashboard's timeline marks it 内部.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, tickets
from dispatch.store import transaction
from dispatch.users import staff_ids

KIND = "internal_note"


def staff_on(db: Database, ticket: dict[str, Any]) -> list[str]:
    """Everyone working on or overseeing a ticket: its handler, its grid, co-handling units, the dispatchers."""
    people = [ticket["claimed_by"]] if ticket["claimed_by"] else tickets.handler_ids(db, ticket)
    if ticket["grid_id"]:
        people += staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"])
    for part in db.query("SELECT department_id FROM ticket_parts WHERE ticket_id = ? ORDER BY id", [ticket["id"]]):
        people += staff_ids(db, "department", department_id=part["department_id"])
    people += tickets.dispatcher_ids(db, ticket["community_id"])
    return list(dict.fromkeys(people))


def add(db: Database, ticket_id: int, user: dict[str, Any], text: str, now: datetime) -> int:
    """Record a note and push it to the other staff on the ticket; returns how many were told.

    :raises tickets.TicketNotFound: no such ticket, or not one this person may see.
    :raises tickets.NeedsReason: an empty note.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not tickets.may_see(db, user, ticket) or tickets.reported_it(db, ticket, user["id"]):
        raise tickets.TicketNotFound(ticket_id)
    if not text.strip():
        raise tickets.NeedsReason(ticket_id)
    who = user.get("display_name") or wording.ROLE_NAMES.get(user.get("role", ""), "工作人员")
    others = [p for p in staff_on(db, ticket) if p != user["id"]]
    with transaction(db):
        event = tickets.add_event(db, ticket_id, user["id"], KIND, now, text.strip())
        for person in others:
            outbox.enqueue(db, person, wording.internal_note_push(ticket_id, who, text.strip()), now, ticket_id,
                           f"note:{event}:{person}")
    return len(others)


def latest(db: Database, ticket_id: int, limit: int = 3) -> list[dict[str, Any]]:
    """The newest internal notes, oldest of them first, for a staff member's 进度."""
    rows = list(db.query("SELECT at, note FROM ticket_events WHERE ticket_id = ? AND kind = ? ORDER BY id DESC "
                         "LIMIT ?", [ticket_id, KIND, limit]))
    return rows[::-1]
