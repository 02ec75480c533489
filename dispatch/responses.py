"""Response limits (响应率): how soon the grid or department must 接单 a ticket it was given.

The clock starts when a handler gets the ticket (routed at filing, assigned from review, reassigned,
transferred) and stops at 接单 (or at 处理中 / 办结, which claim on the way). The limit is the category's
``claim_hours`` of working time (default ``dispatch.claim_hours``), or the urgency level's ``claim_minutes`` of
the clock when that ends sooner (a 紧急 report must not wait for Monday). Its reminders and its one escalation
are deadline_marks rows (kinds below, keyed by the ``respond_by`` they belong to) that deadlines.scan sends
like the 限时办结 ones; a mark of a claimed ticket or of an older limit is dropped. Time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import deadlines, outbox, tickets
from dispatch.clock import iso, local_text, parse_iso
from dispatch.states import CLAIMABLE_STATES
from dispatch.users import is_demo
from dispatch.worktime import Limit, working_seconds_between
from settings import Config

REMIND, ESCALATE = "claim_remind", "claim_escalate"
KINDS = (REMIND, ESCALATE)
CLAIMABLE = tuple(s.value for s in CLAIMABLE_STATES)


@dataclass(frozen=True)
class ResponseLimit:
    at: datetime
    unit: str          # work_hours | hours (the clock): what the reminders and the time to claim count
    why: str           # for the ticket's events, e.g. "接单时限 2 个工作小时"


def limit_for(config: Config, category: str, urgency: str, start: datetime) -> ResponseLimit | None:
    """The category's working hours to claim, or the urgency level's minutes of the clock when sooner;
    None when neither sets a limit."""
    cal = deadlines.calendar(config)
    hours = config.deployment.category(category).claim_hours
    hours = config.settings.dispatch.claim_hours if hours is None else hours
    best = None
    if hours > 0:
        best = ResponseLimit(Limit(hours * 3600, "work_hours").end(start, cal), "work_hours",
                             wording.claim_limit_why(hours, "work_hours"))
    for level in config.deployment.urgency:
        if level.name == urgency and level.claim_minutes > 0:
            at = start + timedelta(minutes=level.claim_minutes)
            if best is None or at < best.at:
                best = ResponseLimit(at, "hours", wording.claim_limit_why(level.claim_minutes, "minutes"))
    return best


def plan(config: Config, category: str, urgency: str, now: datetime) -> tuple[dict[str, Any], list[deadlines.Mark]]:
    """A fresh response clock from now: its columns (for the ticket's INSERT, tickets.move or an UPDATE) and its
    marks, not yet written. Any earlier claim is forgotten: the new handler must claim it."""
    limit = limit_for(config, category, urgency, now)
    fields = {"respond_started_at": iso(now), "respond_by": iso(limit.at) if limit else None,
              "respond_unit": limit.unit if limit else None, "claimed_at": None, "claim_seconds": None}
    if limit is None:
        return fields, []
    marks = [(REMIND, step, _at(config, now, limit, share))
             for step, share in enumerate(sorted(config.settings.dispatch.claim_remind_at), start=1)]
    return fields, [(iso(limit.at), kind, step, iso(due)) for kind, step, due in marks + [(ESCALATE, 1, limit.at)]]


def start_fields(db: Database, config: Config, ticket: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A handler has just been given the ticket: the columns of a fresh response clock, with its marks written
    in place of the unsent ones of the last."""
    fields, marks = plan(config, ticket["category"], ticket["urgency"], now)
    db.execute("DELETE FROM deadline_marks WHERE ticket_id = ? AND (sent_at || '') IS NULL "
               f"AND kind IN ({', '.join('?' * len(KINDS))})", [ticket["id"], *KINDS])
    deadlines.insert_marks(db, ticket["id"], marks)
    return fields


#: The columns of a ticket sent back to review: no handler, so no response clock.
STOPPED = {"respond_started_at": None, "respond_by": None, "respond_unit": None}


def _at(config: Config, start: datetime, limit: ResponseLimit, share: float) -> datetime:
    if limit.unit == "hours":
        return start + (limit.at - start) * share
    cal = deadlines.calendar(config)
    return Limit(working_seconds_between(start, limit.at, cal), "work_hours").end(start, cal, share)


def claimed_fields(config: Config, ticket: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The columns a claim writes: when, and how long after the handler got it, on the limit's clock."""
    started = ticket.get("respond_started_at")
    if not started:
        return {"claimed_at": iso(now), "claim_seconds": None}
    start = parse_iso(started)
    if ticket.get("respond_unit") == "hours":
        seconds = max(0.0, (now - start).total_seconds())
    else:
        seconds = working_seconds_between(start, now, deadlines.calendar(config))
    return {"claimed_at": iso(now), "claim_seconds": round(seconds)}


def still_open(ticket: dict[str, Any], mark: dict[str, Any]) -> bool:
    """A response mark still means something: nobody claimed the ticket since, and its limit is the same."""
    return (ticket["claimed_by"] is None and ticket["respond_by"] == mark["deadline_at"]
            and ticket["state"] in CLAIMABLE)


def send(db: Database, config: Config, ticket: dict[str, Any], marks: list[dict[str, Any]],
         now: datetime) -> dict[str, int]:
    """Send one ticket's due response marks (the caller stamped them): the escalation when due, else only the
    latest reminder (several due at once: the worker was down)."""
    marks = [m for m in marks if still_open(ticket, m)]
    if not marks:
        return {}
    tz = config.settings.dispatch.timezone
    limit_text = local_text(ticket["respond_by"], tz)
    handlers = tickets.handler_ids(db, ticket)
    escalation = next((m for m in marks if m["kind"] == ESCALATE), None)
    if escalation is None:
        mark = marks[-1]
        for person in handlers:
            outbox.enqueue(db, person, wording.claim_reminder(ticket, limit_text), now, ticket["id"],
                           f"mark:{mark['id']}:{person}")
        tickets.add_event(db, ticket["id"], "system", "claim_reminded", now, wording.CLAIM_REMINDED_NOTE)
        return {"claim_reminded": 1}
    handler = config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    dispatchers = tickets.dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"]))
    body = wording.claim_overdue(ticket, handler, limit_text)
    for person in dict.fromkeys(dispatchers + handlers):
        outbox.enqueue(db, person, body, now, ticket["id"], f"mark:{escalation['id']}:{person}")
    tickets.add_event(db, ticket["id"], "system", "claim_overdue", now, wording.claim_overdue_note(limit_text))
    return {"claim_escalated": 1}


def pending(db: Database, start: datetime, end: datetime, now: datetime) -> dict[str | None, int]:
    """Per grid, tickets created in the period still unclaimed with their response limit ahead: not yet
    responded, and not late either, so they are left out of 响应率."""
    # through tickets_unclaimed: only the tickets whose limit is still ahead ("state || ''" keeps the planner off
    # the open states' index, which would read every open ticket's row)
    rows = db.execute("SELECT grid_id, count(*) FROM tickets WHERE claimed_at IS NULL AND respond_by IS NOT NULL "
                      f"AND respond_by > ? AND (state || '') IN ({', '.join('?' * len(CLAIMABLE))}) "
                      "AND created_at >= ? AND created_at < ? GROUP BY grid_id",
                      [iso(now), *CLAIMABLE, iso(start), iso(end)]).fetchall()
    return {grid_id: count for grid_id, count in rows}
