"""限时办结: deadlines per category and urgency, reminders at 50% / 80%, 督办 on breach, then the leaders.

Every reminder and escalation is a row in deadline_marks, planned when the deadline is set. The scan
sends what is due and stamps the row in the same transaction, so a restart, a second scan or a second
scheduler never sends a mark twice, and a mark of an old deadline (reassigned, reopened) is dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, responses, tickets
from dispatch.clock import iso, local_text, parse_iso
from dispatch.memo import per_object
from dispatch.states import WORKING_STATES, State
from dispatch.store import transaction
from dispatch.worktime import (Calendar, Limit, add_working, category_limit, unknown_years,
                              working_seconds_between)
from dispatch.users import is_demo
from settings import Config

log = logging.getLogger(__name__)

_WORKING = tuple(s.value for s in WORKING_STATES)
_IN_WORKING = ", ".join("?" * len(_WORKING))


@dataclass(frozen=True)
class Deadline:
    at: datetime
    unit: str          # hours | work_hours | work_days: the clock the reminders are counted on
    why: str           # for the ticket's events, e.g. "环境卫生 24 小时"


def calendar(config: Config) -> Calendar:
    """The deployment's working calendar (a report asks for it three times; it is built once)."""
    return _calendar(config.settings.dispatch)


_calendar = per_object(Calendar.from_settings)


def calendar_warning(config: Config, now: datetime) -> str | None:
    """What to tell the operator when this year's or next year's days off are not known, else None."""
    cal = calendar(config)
    years = unknown_years(cal, now.astimezone(cal.tz).date(), config.settings.dispatch.calendar_warn_days)
    return wording.calendar_unknown(years) if years else None


def deadline_for(config: Config, category: str, urgency: str, start: datetime, factor: float = 1.0) -> Deadline:
    """The category's limit on its clock, or the urgency level's (wall-clock) limit when that ends sooner."""
    cal = calendar(config)
    cat = config.deployment.category(category)
    limit = category_limit(cat, cal)
    limit = Limit(limit.seconds * factor, limit.unit)
    amount = {"hours": f"{cat.deadline_hours * factor:g} 小时", "work_hours": f"{cat.deadline_hours * factor:g} 个工作小时",
              "work_days": f"{cat.deadline_days * factor:g} 个工作日"}[limit.unit]
    best = Deadline(limit.end(start, cal), limit.unit, f"{cat.name}限 {amount}")
    for level in config.deployment.urgency:
        if level.name == urgency and level.deadline_hours > 0:
            urgent = start + timedelta(hours=level.deadline_hours * factor)
            if urgent < best.at:
                best = Deadline(urgent, "hours", f"{level.name}限 {level.deadline_hours * factor:g} 小时")
    return best


def marks_for(config: Config, start: datetime, deadline: datetime, unit: str) -> list[tuple[str, int, datetime]]:
    """(kind, step, due) for each reminder fraction, the 督办 at the deadline and the leaders after it."""
    s = config.settings.dispatch
    cal = calendar(config)
    marks: list[tuple[str, int, datetime]] = []
    if unit == "hours":
        span = (deadline - start).total_seconds()
        at = lambda f: start + timedelta(seconds=span * f)  # noqa: E731
        leader = deadline + timedelta(hours=s.leader_escalation_hours)
    else:
        span = working_seconds_between(start, deadline, cal)
        at = lambda f: add_working(start, span * f, cal)  # noqa: E731
        leader = add_working(deadline, s.leader_escalation_hours * 3600, cal)
    for step, fraction in enumerate(sorted(s.remind_at), start=1):
        marks.append(("remind", step, at(fraction)))
    marks.append(("escalate", 1, deadline))
    marks.append(("leader", 1, leader))
    return marks


#: A mark as written: (deadline_at, kind, step, due_at), the times in the store's text.
Mark = tuple[str, str, int, str]


def planned_marks(config: Config, start: datetime, deadline: datetime, unit: str) -> list[Mark]:
    """The marks of a deadline, ready for :func:`insert_marks`."""
    return [(iso(deadline), kind, step, iso(due)) for kind, step, due in marks_for(config, start, deadline, unit)]


def insert_marks(db: Database, ticket_id: int, marks: list[Mark]) -> None:
    """Add a ticket's marks (its deadline's, its response limit's: any kinds together) in one statement; a mark
    already there stays as it is."""
    if marks:
        db.conn.executemany("INSERT INTO deadline_marks (ticket_id, deadline_at, kind, step, due_at) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [(ticket_id, *m) for m in marks])


def write_marks(db: Database, config: Config, ticket_id: int, start: datetime, deadline: datetime,
                unit: str) -> None:
    """Replace the unsent marks of a ticket with those of its current deadline (a new ticket has none to
    replace: it plans its marks with :func:`planned_marks`)."""
    # "sent_at || ''": look the ticket up by its own index, not through the index of every unsent mark
    db.execute("DELETE FROM deadline_marks WHERE ticket_id = ? AND (sent_at || '') IS NULL", [ticket_id])
    insert_marks(db, ticket_id, planned_marks(config, start, deadline, unit))


def ensure_marks(db: Database, config: Config) -> int:
    """Plan marks for working tickets that have none for their deadline (older rows, or a restored backup)."""
    rows = list(db.query(
        f"SELECT id, created_at, clock_started_at, deadline_at, deadline_unit FROM tickets t "
        f"WHERE state IN ({_IN_WORKING}) AND deadline_at IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM deadline_marks m WHERE m.ticket_id = t.id AND m.deadline_at = t.deadline_at)", _WORKING))
    for i in range(0, len(rows), 500):
        with transaction(db):
            for t in rows[i:i + 500]:
                start = parse_iso(t["clock_started_at"] or t["created_at"])
                write_marks(db, config, t["id"], start, parse_iso(t["deadline_at"]), t["deadline_unit"] or "hours")
    return len(rows)


def review_reminders(db: Database, config: Config, now: datetime) -> int:
    """Remind the dispatchers once of each ticket waiting in their review queue too long: working time, or
    minutes of the clock for an emergency (a fire waiting for a grid must not wait for Monday)."""
    limit = config.settings.dispatch.review_remind_hours * 3600
    urgent_limit = timedelta(minutes=config.settings.dispatch.urgent_review_remind_minutes)
    cal = calendar(config)
    rows = list(db.query(
        "SELECT * FROM tickets t WHERE state = 'received' AND created_at <= ? AND NOT EXISTS "
        "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'review_reminded') ORDER BY id",
        [iso(now - min(timedelta(seconds=limit), urgent_limit))]))   # working time never runs faster than the clock
    sent = 0
    for t in rows:
        created = parse_iso(t["created_at"])
        urgent = config.deployment.is_urgent(t["urgency"])
        due = created + urgent_limit if urgent else add_working(created, limit, cal)
        if due > now:
            continue
        with transaction(db):
            for person in tickets.dispatcher_ids(db, t["community_id"], is_demo(t["reporter"])):
                outbox.enqueue(db, person, wording.review_overdue(t, urgent), now, t["id"],
                               f"review:{t['id']}:{person}")
            tickets.add_event(db, t["id"], "system", "review_reminded", now, "待审核超时，提醒社区调度员")
        sent += 1
    return sent


def scan(db: Database, config: Config, now: datetime) -> dict[str, int]:
    """Send every reminder and escalation that is due; returns how many of each were sent."""
    ensure_marks(db, config)
    counts = {"reminded": review_reminders(db, config, now), "escalated": 0}
    with transaction(db):   # marks of a closed ticket or an old deadline will never be sent
        db.execute(
            "DELETE FROM deadline_marks WHERE sent_at IS NULL AND due_at <= ? AND kind NOT IN (?, ?) AND NOT EXISTS "
            "(SELECT 1 FROM tickets t WHERE t.id = deadline_marks.ticket_id AND t.deadline_at = deadline_marks.deadline_at "
            f"AND t.state IN ({_IN_WORKING}))", [iso(now), *responses.KINDS, *_WORKING])
        # response marks (接单时限) of a claimed ticket or an older limit, the same way
        db.execute(
            "DELETE FROM deadline_marks WHERE sent_at IS NULL AND due_at <= ? AND kind IN (?, ?) AND NOT EXISTS "
            "(SELECT 1 FROM tickets t WHERE t.id = deadline_marks.ticket_id AND t.respond_by = deadline_marks.deadline_at "
            "AND t.claimed_by IS NULL)", [iso(now), *responses.KINDS])
    due: dict[int, list[dict[str, Any]]] = {}
    for m in db.query("SELECT * FROM deadline_marks WHERE sent_at IS NULL AND due_at <= ? ORDER BY due_at, id",
                      [iso(now)]):
        due.setdefault(m["ticket_id"], []).append(m)
    for ticket_id, candidates in due.items():
        try:
            sent = _send_due(db, config, ticket_id, [m["id"] for m in candidates], now)
        except Exception:  # noqa: BLE001 - one bad ticket must not stop the others; it is retried next scan
            log.exception("deadline marks of ticket %s", ticket_id)
            continue
        for kind, count in sent.items():
            counts[kind] = counts.get(kind, 0) + count
    return counts


def _send_due(db: Database, config: Config, ticket_id: int, ids: list[int], now: datetime) -> dict[str, int]:
    """Stamp and send one ticket's due marks in one transaction."""
    with transaction(db):   # re-read under the write lock: another scheduler may have sent them
        # by primary key only: "sent_at IS NULL" here would steer SQLite to the due index and every unsent row
        marks = [m for m in db.query(f"SELECT * FROM deadline_marks WHERE id IN ({', '.join('?' * len(ids))}) "
                                     "ORDER BY due_at, id", ids) if m["sent_at"] is None]
        if not marks:
            return {}
        db.execute(f"UPDATE deadline_marks SET sent_at = ? WHERE id IN ({', '.join('?' * len(marks))})",
                   [iso(now), *[m["id"] for m in marks]])
        claim_marks = [m for m in marks if m["kind"] in responses.KINDS]     # 接单时限 (dispatch/responses.py)
        counts = responses.send(db, config, tickets.get_ticket(db, ticket_id), claim_marks, now) if claim_marks else {}
        marks = [m for m in marks if m["kind"] not in responses.KINDS]
        if not marks:
            return counts
        escalations = [m for m in marks if m["kind"] != "remind"]
        for m in escalations:
            _escalate(db, config, tickets.get_ticket(db, ticket_id), m, now)
        if escalations:
            return {**counts, "escalated": len(escalations)}
        # several reminders due at once (the worker was down): only the latest is worth sending
        _remind(db, config, tickets.get_ticket(db, ticket_id), marks[-1], now)
        return {**counts, "reminded": 1}


def _remind(db: Database, config: Config, t: dict[str, Any], mark: dict[str, Any], now: datetime) -> None:
    deadline = local_text(t["deadline_at"], config.settings.dispatch.timezone)
    body = wording.reminder(t, deadline, mark["step"], len(config.settings.dispatch.remind_at))
    people = [t["claimed_by"]] if t["claimed_by"] else tickets.handler_ids(db, t)
    for person in people:
        outbox.enqueue(db, person, body, now, t["id"], f"mark:{mark['id']}:{person}")
    db.execute("UPDATE tickets SET reminders_sent = ? WHERE id = ?", [mark["step"], t["id"]])
    fraction = sorted(config.settings.dispatch.remind_at)[mark["step"] - 1]   # marks_for numbers them so
    tickets.add_event(db, t["id"], "system", "reminded", now, wording.reminder_note(fraction))


def leader_ids(db: Database, community_id: str | None) -> list[str]:
    """Leaders of the ticket's community, and leaders with no community (the street's)."""
    return [r["id"] for r in db.query(
        "SELECT id FROM users WHERE role = 'leader' AND (community_id IS NULL OR community_id = ?) ORDER BY id",
        [community_id])]


def _escalate(db: Database, config: Config, t: dict[str, Any], mark: dict[str, Any], now: datetime) -> None:
    """督办: first to the community dispatcher (and the handler); later, still open, to the leaders."""
    handler = config.deployment.handler_name(t["grid_id"], t["department_id"])
    deadline = local_text(t["deadline_at"], config.settings.dispatch.timezone)
    holders = [t["claimed_by"]] if t["claimed_by"] else tickets.handler_ids(db, t)
    dispatchers = tickets.dispatcher_ids(db, t["community_id"], is_demo(t["reporter"]))
    if mark["kind"] == "escalate":
        level, reason = 1, f"超过办结期限（{wording.deadline_text(deadline)}），社区督办"
        people = dispatchers + holders
    else:
        level, reason = 2, f"督办后 {config.settings.dispatch.leader_escalation_hours:g} 小时仍未办结，上报领导"
        people = leader_ids(db, t["community_id"]) + dispatchers + holders
    body = wording.escalation(t, handler, deadline, level)
    for person in dict.fromkeys(people):
        outbox.enqueue(db, person, body, now, t["id"], f"mark:{mark['id']}:{person}")
    tickets.move(db, t, State.ESCALATED, "system", reason, now, escalation_level=max(level, t["escalation_level"]))
