"""Emergencies reach everyone at once: the place's grid, the community's dispatchers and the leaders on duty
hear of a fire or a gas leak the moment it is filed, not at the 4-hour 督办; a dispatcher confirms with
「收到 N」, and the reporter is told someone is on it.

Who hears is ``emergencies.notify`` and ``emergencies.on_duty`` in the deployment file. The ticket keeps
an ``emergency`` event naming the kind (written by tickets.create_ticket), so a confirmation knows it was one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlite_utils import Database

import wording
from dispatch import deadlines, outbox
from dispatch.users import is_demo, staff_ids
from settings import Config

EVENT = "emergency"
ACKNOWLEDGED = "acknowledged"


class NotAnEmergency(Exception):
    """「收到 N」 for a ticket that was never an emergency."""


def people_to_alert(db: Database, config: Config, ticket: dict[str, Any]) -> list[str]:
    """Everyone ``emergencies.notify`` names for this ticket, in that order, each once."""
    e = config.deployment.emergencies
    demo = is_demo(ticket["reporter"])
    people: list[str] = []
    for who in e.notify:
        if who == "grid" and ticket["grid_id"]:
            people += staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"], demo=demo)
        elif who == "dispatcher":
            people += (staff_ids(db, "dispatcher", community_id=ticket["community_id"], demo=demo)
                       if ticket["community_id"] else []) or staff_ids(db, "dispatcher", demo=demo)
        elif who == "leader":
            people += e.on_duty or deadlines.leader_ids(db, ticket["community_id"])
    # the demo's personas and the real staff never hear of each other's tickets
    return [p for p in dict.fromkeys(people) if is_demo(p) == demo]


def alert(db: Database, config: Config, ticket: dict[str, Any], kind_name: str, now: datetime,
          already_told: Iterable[str] = ()) -> list[str]:
    """Tell everyone who must know of an emergency now; returns who was alerted.

    :param already_told: people who got the ticket's own push (the grid's 【紧急工单】, the dispatcher's
        【紧急·待审核】); they are not told twice.
    """
    kind = config.deployment.emergency_kind(kind_name)
    if kind is None:
        return []
    handler = config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    body = wording.emergency_alert(ticket, kind.name, kind.call, handler)
    people = [p for p in people_to_alert(db, config, ticket) if p not in set(already_told)]
    for person in people:
        outbox.enqueue(db, person, body, now, ticket["id"], f"emergency:{ticket['id']}:{person}")
    return people


@dataclass
class Acknowledgement:
    ticket_id: int
    first: bool          # False: someone had confirmed it already


def acknowledge(db: Database, config: Config, ticket: dict[str, Any], user: dict[str, Any],
                now: datetime) -> Acknowledgement:
    """「收到 N」: a dispatcher (or anyone alerted) confirms an emergency; the reporters and the others alerted
    are told who is on it. A second confirmation changes nothing.

    :raises NotAnEmergency: the ticket was never an emergency.
    """
    ticket_id = ticket["id"]
    if not db.execute("SELECT 1 FROM ticket_events WHERE ticket_id = ? AND kind = ?", [ticket_id, EVENT]).fetchone():
        raise NotAnEmergency(ticket_id)
    if db.execute("SELECT 1 FROM ticket_events WHERE ticket_id = ? AND kind = ?",
                  [ticket_id, ACKNOWLEDGED]).fetchone():
        return Acknowledgement(ticket_id, False)
    from dispatch.tickets import add_event     # tickets files emergencies through alert(): imported late

    who = user.get("display_name") or wording.ROLE_NAMES.get(user.get("role", ""), "社区")
    add_event(db, ticket_id, user["id"], ACKNOWLEDGED, now, f"{who}确认收到")
    reporters = [ticket["reporter"]] + [r["user_id"] for r in db.query(
        "SELECT user_id FROM ticket_followers WHERE ticket_id = ?", [ticket_id])]
    for person in dict.fromkeys(reporters):
        outbox.enqueue(db, person, wording.reporter_acknowledged(ticket_id, who), now, ticket_id,
                       f"acknowledged:{ticket_id}:{person}")
    for person in people_to_alert(db, config, ticket):
        if person != user["id"]:
            outbox.enqueue(db, person, wording.others_acknowledged(ticket_id, who), now, ticket_id,
                           f"acknowledged-others:{ticket_id}:{person}")
    return Acknowledgement(ticket_id, True)
