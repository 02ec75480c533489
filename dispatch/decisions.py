"""Decisions told (公布决策): a 联席会议 decision reaches everyone on the ticket, and its lead is assigned.

「议定 4 由城管牵头，住建配合，本周内清理」: the unit named before 牵头/主办/负责 becomes the ticket's lead
(the ticket is assigned to it unless it already has it), units named before 配合/协办 are added as
co-handlers, and the decision is pushed to every department the ticket has been with, its grid, the
co-handlers and the reporters. A name the deployment does not know assigns nothing; the decision is still told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import joint, notes, outbox, parts, tickets
from dispatch.clock import iso
from dispatch.routing import UnknownTarget, resolve_target
from dispatch.states import OPEN_STATES
from dispatch.store import transaction
from dispatch.users import staff_ids
from settings import Config

_LEAD = re.compile(r"(?:由|请)?([^，,。；;、\s由请]{2,12}?)(?:牵头|主办|负责办理|负责)")
_HELPERS = re.compile(r"([^，,。；;\s]{2,30}?)(?:配合|协办)")


@dataclass
class Told:
    """What a decision did: the lead it assigned (by name), the co-handlers it added, how many were told."""

    lead: str | None = None
    helpers: list[str] = field(default_factory=list)
    told: int = 0


def named_units(config: Config, decision: str, community_id: str | None) -> tuple[tuple[str | None, str | None] | None,
                                                                                   list[str]]:
    """The lead (grid_id, department_id) and the co-handling department ids a decision names."""
    lead = None
    if m := _LEAD.search(decision):
        try:
            found = resolve_target(config.deployment, m.group(1), community_id)
            lead = found if found != (None, None) else None
        except UnknownTarget:
            lead = None
    helpers: list[str] = []
    if m := _HELPERS.search(decision):
        for name in re.split(r"[、和及与]", m.group(1).split("牵头")[-1].lstrip("，,")):
            try:
                _, department_id = resolve_target(config.deployment, name, community_id)
            except UnknownTarget:
                continue
            if department_id and department_id not in helpers:
                helpers.append(department_id)
    return lead, helpers


def settle_and_tell(db: Database, config: Config, ticket_id: int, user: dict[str, Any], decision: str,
                    now: datetime) -> Told | None:
    """Record the decision (joint.settle), assign its lead, add its co-handlers and tell everyone.

    Returns None when the ticket was not on the agenda.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    result = Told()
    with transaction(db):
        if not joint.settle(db, ticket_id, user["id"], decision, now):
            return None
        if not decision.strip() or ticket["state"] not in (s.value for s in OPEN_STATES):
            return result
        lead, helpers = named_units(config, decision, ticket["community_id"])
        if lead and lead != (ticket["grid_id"], ticket["department_id"]):
            grid_id, department_id = lead
            ticket = tickets.assign(db, config, ticket_id, user["id"], now, grid_id or ticket["grid_id"],
                                    department_id, reason=f"联席会议议定：{decision.strip()}")
        if lead:
            result.lead = config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
        for department_id in helpers:
            try:
                parts.add(db, config, ticket_id, user, department_id, "联席会议议定", now)
            except parts.AlreadyCoHandling:
                continue
            result.helpers.append(config.deployment.handler_name(None, department_id))
        people = notes.staff_on(db, ticket)
        for department_id in joint.departments_of(db, ticket_id):
            people += staff_ids(db, "department", department_id=department_id)
        body = wording.decision_for_staff(ticket_id, decision.strip())
        for person in dict.fromkeys(p for p in people if p != user["id"]):
            outbox.enqueue(db, person, body, now, ticket_id, f"decision:{ticket_id}:{iso(now)}:{person}")
            result.told += 1
        tickets.notify_reporters(db, ticket, wording.decision_for_reporter(ticket_id, decision.strip()), now,
                                 f"decision-{iso(now)}")
    return result
