"""Rating reminders, the dispatchers' 回访 list, and 解决率.

A resolved ticket the reporter has not rated is reminded at dispatch.rating_reminder_hours after 办结 (one
reminder per mark, only the latest one due); still unrated dispatch.followup_after_hours after 办结, it goes on
the community dispatchers' 回访 list for a phone call. The dispatcher records 「回访 12 已解决 满意」: solved or
not (解决率, kept on the ticket as the resident's own 「已解决」 is) apart from satisfied or not (满意率). Solved
closes the ticket; not solved reopens it to its handler; on a closed ticket the call's answer replaces the rating's.
Time is passed in (``now``), so tests and the scheduler share the same code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, tickets
from dispatch.clock import iso
from dispatch.states import State, TransitionError
from dispatch.store import transaction
from settings import Config


def remind_unrated(db: Database, config: Config, now: datetime) -> int:
    """Remind reporters of resolved, unrated tickets at the configured hours; returns how many were reminded."""
    marks = sorted(config.settings.dispatch.rating_reminder_hours)
    if not marks:
        return 0
    rows = list(db.query("SELECT * FROM tickets WHERE state = 'resolved' AND resolved_at <= ? ORDER BY id",
                         [iso(now - timedelta(hours=marks[0]))]))
    reminded = 0
    for ticket in rows:
        since = now - datetime.fromisoformat(ticket["resolved_at"])
        due = [h for h in marks if since >= timedelta(hours=h)][-1]
        key = f"rating-reminder:{ticket['id']}:{ticket['resolved_at']}:{due:g}"
        if db.execute("SELECT 1 FROM outbox WHERE dedup_key = ?", [key]).fetchone():
            continue
        with transaction(db):
            outbox.enqueue(db, ticket["reporter"], wording.rating_reminder(ticket["id"]), now, ticket["id"], key)
            tickets.add_event(db, ticket["id"], "system", "rating_reminder", now, f"办结 {due:g} 小时未评价，提醒评价")
        reminded += 1
    return reminded


def due(db: Database, config: Config, community_id: str | None, now: datetime) -> list[dict[str, Any]]:
    """The 回访 list: resolved tickets still unrated dispatch.followup_after_hours after 办结, not yet called."""
    cutoff = iso(now - timedelta(hours=config.settings.dispatch.followup_after_hours))
    sql = ("SELECT t.* FROM tickets t WHERE t.state = 'resolved' AND t.resolved_at <= ? "
           "AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.ticket_id = t.id AND f.at >= t.resolved_at)")
    params: list[Any] = [cutoff]
    if community_id is not None:
        sql += " AND t.community_id = ?"
        params.append(community_id)
    return list(db.query(sql + " ORDER BY t.resolved_at, t.id", params))


def record(db: Database, config: Config, ticket_id: int, user: dict[str, Any], solved: bool, satisfaction: str,
           note: str, now: datetime) -> dict[str, Any]:
    """「回访 12 已解决 满意」: keep the call's outcome; solved closes a resolved ticket, not solved reopens it.

    :raises tickets.TicketNotFound, tickets.NotAllowed: no such ticket, or not this dispatcher's community.
    :raises TransitionError: the ticket is not resolved or closed (nothing to call about yet).
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not tickets.may_dispatch(user, ticket):
        raise tickets.refusal(db, user, ticket)
    if ticket["state"] not in (State.RESOLVED.value, State.CLOSED.value):
        raise TransitionError(ticket_id, ticket["state"], "followup")
    with transaction(db):
        db.execute("INSERT INTO followups (ticket_id, called_by, solved, satisfaction, note, at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [ticket_id, user["id"], int(solved), satisfaction, note, iso(now)])
        tickets.add_event(db, ticket_id, user["id"], "followup", now,
                          wording.followup_note(solved, satisfaction, note))
        if ticket["state"] == State.RESOLVED.value:
            if solved:
                ticket = tickets.move(db, ticket, State.CLOSED, user["id"], wording.followup_note(solved, satisfaction,
                                                                                                 note),
                                      now, rating=satisfaction or None, closed_at=iso(now), solved=1)
            else:   # reopened to its handler as a 未解决 from the resident would; the rating kept is what they said
                ticket = tickets.settle_rating(db, config, ticket, user, satisfaction, note or "回访：未解决", now,
                                               solved=False)
        else:       # a closed ticket: the call checks what the rating said; 解决率 counts the call's answer
            db.execute("UPDATE tickets SET solved = ?, updated_at = ? WHERE id = ?", [int(solved), iso(now), ticket_id])
    return ticket

