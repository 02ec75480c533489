"""延期申请: a handler who cannot finish in time asks for more; a dispatcher grants or refuses it.

A granted extension moves the ticket's deadline (so its reminders, its 督办 and the 按时办结 count follow
it), and the reporter is told the new date; a refused one leaves the deadline as it was. One request
waits at a time per ticket. Functions take ``now``; the callers check who may ask and who may decide.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import deadlines, outbox, tickets
from dispatch.clock import iso, local_text, parse_iso
from dispatch.states import WORKING_STATES, TransitionError
from dispatch.store import transaction
from dispatch.worktime import add_working
from settings import Config

#: What a handler may type after the number, and the clock it is counted on.
UNITS = {"天": "days", "日": "days", "工作日": "work_days", "个工作日": "work_days", "小时": "hours",
         "个小时": "hours"}


class ExtensionPending(Exception):
    """The ticket already has a request waiting for the dispatcher."""


class NoExtensionPending(Exception):
    """Nothing to approve or refuse."""


def extended(config: Config, deadline: datetime, amount: int, unit: str) -> datetime:
    """The deadline moved by ``amount`` calendar days, working days or hours (``unit`` a value of UNITS)."""
    if unit == "hours":
        return deadline + timedelta(hours=amount)
    if unit == "days":
        return deadline + timedelta(days=amount)
    cal = deadlines.calendar(config)
    return add_working(deadline, amount * cal.day_seconds, cal)


def pending(db: Database, ticket_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT id FROM extensions WHERE ticket_id = ? AND state = 'pending'", [ticket_id]).fetchone()
    return next(iter(db.query("SELECT * FROM extensions WHERE id = ?", [row[0]]))) if row else None


def ask(db: Database, config: Config, ticket_id: int, user: dict[str, Any], amount: int, unit: str, reason: str,
        now: datetime) -> dict[str, Any]:
    """The handler's request; the community's dispatchers are pushed it. Returns the request row.

    :raises tickets.NotAllowed: the person is not the ticket's handler.
    :raises tickets.NeedsReason: no reason given.
    :raises TransitionError: the ticket is not being worked on.
    :raises ExtensionPending: a request already waits.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not tickets.may_handle(user, ticket):
        raise tickets.NotAllowed(ticket_id)
    if ticket["state"] not in (s.value for s in WORKING_STATES) or not ticket["deadline_at"]:
        raise TransitionError(ticket_id, ticket["state"], "extended")
    if not reason.strip():
        raise tickets.NeedsReason(ticket_id)
    tz = config.settings.dispatch.timezone
    old = parse_iso(ticket["deadline_at"])
    new = extended(config, old, amount, unit)
    with transaction(db):
        if pending(db, ticket_id):
            raise ExtensionPending(ticket_id)
        db.execute("INSERT INTO extensions (ticket_id, asked_by, asked_at, amount, unit, reason, old_deadline, "
                   "new_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [ticket_id, user["id"], iso(now), amount, unit, reason.strip(), iso(old), iso(new)])
        span = wording.extension_span(amount, unit)
        tickets.add_event(db, ticket_id, user["id"], "extension_asked", now,
                          f"申请延期 {span}：{reason.strip()}")
        who = user.get("display_name") or config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
        body = wording.extension_for_dispatcher(ticket, who, span, local_text(iso(old), tz) or "",
                                                local_text(iso(new), tz) or "", reason.strip())
        for person in tickets.dispatcher_ids(db, ticket["community_id"]):
            outbox.enqueue(db, person, body, now, ticket_id, f"extension-ask:{ticket_id}:{iso(now)}:{person}")
    return pending(db, ticket_id) or {}


def decide(db: Database, config: Config, ticket_id: int, actor: str, grant: bool, note: str,
           now: datetime) -> dict[str, Any]:
    """Grant or refuse the waiting request; returns the ticket as it is after.

    Granted, the deadline moves by the amount asked (counted from the deadline the ticket has now), its
    reminders are planned again, and the handler and the reporters are told the new date. Refused, the
    handler is told why and the deadline stays.

    :raises NoExtensionPending: no request waits.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    request = pending(db, ticket_id)
    if request is None:
        raise NoExtensionPending(ticket_id)
    tz = config.settings.dispatch.timezone
    note = note.strip()
    with transaction(db):
        if grant:
            new = extended(config, parse_iso(ticket["deadline_at"]), request["amount"], request["unit"])
            db.execute("UPDATE tickets SET deadline_at = ?, reminders_sent = 0, updated_at = ? WHERE id = ?",
                       [iso(new), iso(now), ticket_id])
            deadlines.write_marks(db, config, ticket_id, now, new, ticket["deadline_unit"] or "hours")
            shown = wording.deadline_text(local_text(iso(new), tz))
            tickets.add_event(db, ticket_id, actor, "extension_granted", now,
                              f"同意延期，新期限 {shown}" + (f"：{note}" if note else ""))
            to_handler = wording.extension_granted_for_handler(ticket_id, shown)
            tickets.notify_reporters(db, ticket, wording.extension_for_reporter(ticket_id, shown), now,
                                     f"extended-{iso(now)}")
        else:
            new = parse_iso(ticket["deadline_at"])
            tickets.add_event(db, ticket_id, actor, "extension_refused", now,
                              "不同意延期" + (f"：{note}" if note else ""))
            to_handler = wording.extension_refused_for_handler(
                ticket_id, wording.deadline_text(local_text(ticket["deadline_at"], tz)), note)
        db.execute("UPDATE extensions SET state = ?, decided_by = ?, decided_at = ?, decision_note = ?, "
                   "new_deadline = ? WHERE id = ?",
                   ["granted" if grant else "refused", actor, iso(now), note, iso(new), request["id"]])
        people = [request["asked_by"]] + ([ticket["claimed_by"]] if ticket["claimed_by"] else [])
        for person in dict.fromkeys(people):
            outbox.enqueue(db, person, to_handler, now, ticket_id, f"extension-decided:{request['id']}:{person}")
    return tickets.get_ticket(db, ticket_id)
