"""主办/协办: a ticket keeps one lead (its grid or department) and may have co-handling departments.

The dispatcher or the lead adds a co-handler (「协办 12 城管」); each co-handler sees the ticket in its 待办
and reports its part done (「协办完成 12 …」); the lead closes the ticket once every part is done, so the
reporter hears one story from one ticket. 首接负责: the unit that first received the ticket stays named
on it as accountable until it is closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, tickets
from dispatch.clock import iso, local_text
from dispatch.routing import UnknownTarget, resolve_target
from dispatch.states import OPEN_STATES, TransitionError
from dispatch.store import transaction
from dispatch.users import staff_ids
from settings import Config


class AlreadyCoHandling(Exception):
    """The department already has a part of this ticket, or leads it."""


class PartsOpen(Exception):
    """The lead tried to close a ticket whose co-handlers have not finished their parts."""

    def __init__(self, ticket_id: int, departments: list[str]) -> None:
        super().__init__(f"ticket {ticket_id}: parts still open: {', '.join(departments)}")
        self.ticket_id, self.departments = ticket_id, departments


def of_ticket(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM ticket_parts WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def open_departments(db: Database, ticket_id: int) -> list[str]:
    return [p["department_id"] for p in of_ticket(db, ticket_id) if p["done_at"] is None]


def add(db: Database, config: Config, ticket_id: int, user: dict[str, Any], target: str, note: str,
        now: datetime) -> dict[str, Any]:
    """Add a co-handling department; its contacts are pushed the ticket. Returns the new part.

    :raises tickets.NotAllowed: neither the community's dispatcher nor the lead.
    :raises UnknownTarget: the target is not a department.
    :raises AlreadyCoHandling: it is already on the ticket.
    :raises TransitionError: the ticket is no longer open.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not (tickets.may_dispatch(user, ticket) or tickets.may_handle(user, ticket)):
        raise tickets.NotAllowed(ticket_id)
    if ticket["state"] not in (s.value for s in OPEN_STATES):
        raise TransitionError(ticket_id, ticket["state"], "co_handled")
    _, department_id = resolve_target(config.deployment, target)
    if department_id is None:
        raise UnknownTarget(target, [], "协办只能请部门")
    if department_id == ticket["department_id"] or department_id in (p["department_id"] for p in
                                                                     of_ticket(db, ticket_id)):
        raise AlreadyCoHandling(ticket_id)
    lead = config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    name = config.deployment.handler_name(None, department_id)
    deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
    with transaction(db):
        db.execute("INSERT INTO ticket_parts (ticket_id, department_id, added_by, added_at, note) "
                   "VALUES (?, ?, ?, ?, ?)", [ticket_id, department_id, user["id"], iso(now), note.strip()])
        tickets.add_event(db, ticket_id, user["id"], "co_handler_added", now,
                          f"{name}协办" + (f"：{note.strip()}" if note.strip() else ""))
        body = wording.co_handling_assignment(ticket, lead, note.strip(), deadline)
        for person in staff_ids(db, "department", department_id=department_id):
            outbox.enqueue(db, person, body, now, ticket_id, f"cohandle:{ticket_id}:{department_id}:{person}")
    return of_ticket(db, ticket_id)[-1]


def finish(db: Database, config: Config, ticket_id: int, user: dict[str, Any], note: str,
           now: datetime) -> list[str]:
    """A co-handler reports its part done; the lead and the dispatchers are told. Returns the parts still open.

    :raises tickets.NotAllowed: the person's department has no open part of this ticket.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    department_id = user.get("department_id") if user.get("role") == "department" else None
    said = note.strip() or "已完成"
    with transaction(db):
        done = db.execute("UPDATE ticket_parts SET done_at = ?, done_by = ?, done_note = ? WHERE ticket_id = ? "
                          "AND department_id = ? AND done_at IS NULL",
                          [iso(now), user["id"], said, ticket_id, department_id]).rowcount
        if not done:
            raise tickets.NotAllowed(ticket_id)
        name = config.deployment.handler_name(None, department_id)
        tickets.add_event(db, ticket_id, user["id"], "part_done", now, f"{name}：{said}")
        left = [config.deployment.handler_name(None, d) for d in open_departments(db, ticket_id)]
        body = wording.part_done_for_lead(ticket_id, name, said, left)
        lead = [ticket["claimed_by"]] if ticket["claimed_by"] else tickets.handler_ids(db, ticket)
        for person in dict.fromkeys(lead + tickets.dispatcher_ids(db, ticket["community_id"])):
            outbox.enqueue(db, person, body, now, ticket_id, f"part-done:{ticket_id}:{department_id}:{person}")
    return left


def check_all_done(db: Database, config: Config, ticket_id: int) -> None:
    """:raises PartsOpen: some co-handler has not finished, so the lead may not close yet."""
    waiting = open_departments(db, ticket_id)
    if waiting:
        raise PartsOpen(ticket_id, [config.deployment.handler_name(None, d) for d in waiting])


def first_receiver(db: Database, config: Config, ticket: dict[str, Any]) -> str | None:
    """首接负责: the grid or department the ticket was first routed to, by name (None while under review)."""
    row = db.execute("SELECT id, kind FROM ticket_events WHERE ticket_id = ? AND kind IN ('routed', 'transferred') "
                     "ORDER BY id LIMIT 1", [ticket["id"]]).fetchone()
    if row is None:
        return None
    if row[1] == "transferred":
        department = db.execute("SELECT note FROM ticket_events WHERE ticket_id = ? AND kind = 'to_department' "
                                "AND id > ? ORDER BY id LIMIT 1", [ticket["id"], row[0]]).fetchone()
        if department:
            return config.deployment.handler_name(None, department[0])
    return config.deployment.handler_name(ticket["grid_id"], None)   # grids move only within the community
