"""「备注 12 …」: an internal note between staff on a ticket (the reporter never sees it)."""

from __future__ import annotations

import wording
from bot.conversation.turn import Turn
from dispatch import notes, tickets
from dispatch.clock import local_text
from dispatch.users import is_staff


def add(turn: Turn) -> str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    try:
        told = notes.add(turn.db, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NeedsReason:
        return wording.NOTE_HOW
    return wording.internal_note_saved(ticket_id, told)


def for_staff(turn: Turn, ticket_id: int) -> str:
    """The lines a staff member's 进度 adds: the newest internal notes, marked 内部 ("" for residents)."""
    if not is_staff(turn.user):
        return ""
    tz = turn.config.settings.dispatch.timezone
    rows = notes.latest(turn.db, ticket_id)
    return wording.internal_note_lines([((local_text(r["at"], tz) or "")[5:], r["note"]) for r in rows])
