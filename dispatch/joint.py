"""联席会议: tickets that need more than one department are put on the community's joint-meeting agenda.

A ticket goes on the agenda when a dispatcher says so ("联席 12") or by itself once it has been sent to
dispatch.joint_after_departments different departments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox
from dispatch.clock import iso
from dispatch.store import transaction
from settings import Config


def departments_of(db: Database, ticket_id: int) -> list[str]:
    """The departments a ticket has been sent to, in order."""
    rows = db.query("SELECT note FROM ticket_events WHERE ticket_id = ? AND kind = 'to_department' ORDER BY id",
                    [ticket_id])
    return list(dict.fromkeys(r["note"] for r in rows))


def mark(db: Database, config: Config, ticket: dict[str, Any], actor: str, reason: str, now: datetime) -> bool:
    """Put a ticket on the agenda; False when it is already there. The community's dispatchers are told."""
    from dispatch.tickets import add_event, dispatcher_ids
    from dispatch.users import is_demo

    with transaction(db):
        added = db.execute(
            "INSERT INTO joint_meeting (ticket_id, community_id, marked_at, marked_by, reason) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [ticket["id"], ticket["community_id"], iso(now), actor, reason]).rowcount
        if not added:
            return False
        add_event(db, ticket["id"], actor, "joint_meeting", now, reason)
        for person in dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"])):
            outbox.enqueue(db, person, wording.joint_marked(ticket, reason), now, ticket["id"],
                           f"joint:{ticket['id']}:{person}")
    return True


def check_automatic(db: Database, config: Config, ticket: dict[str, Any], now: datetime) -> bool:
    """After a transfer: enough departments involved → the agenda."""
    names = departments_of(db, ticket["id"])
    if len(names) < config.settings.dispatch.joint_after_departments:
        return False
    readable = "、".join(config.deployment.handler_name(None, d) for d in names)
    return mark(db, config, ticket, "system", f"已涉及 {len(names)} 个部门（{readable}），提请联席会议", now)


def settle(db: Database, ticket_id: int, actor: str, decision: str, now: datetime) -> bool:
    """Record the meeting's decision; the ticket leaves the agenda."""
    from dispatch.tickets import add_event

    with transaction(db):
        done = db.execute("UPDATE joint_meeting SET settled_at = ?, decision = ? WHERE ticket_id = ? "
                          "AND settled_at IS NULL", [iso(now), decision, ticket_id]).rowcount
        if done:
            add_event(db, ticket_id, actor, "joint_settled", now, decision or "联席会议已议")
    return bool(done)


def agenda(db: Database, community_id: str | None = None) -> list[dict[str, Any]]:
    """Open agenda items, oldest first: the ticket's columns plus marked_at, reason and departments.

    The plain function the dashboard calls; ``community_id`` None lists every community.
    """
    sql = ("SELECT t.*, j.marked_at, j.marked_by, j.reason AS joint_reason FROM joint_meeting j "
           "JOIN tickets t ON t.id = j.ticket_id WHERE j.settled_at IS NULL")
    params: list[Any] = []
    if community_id is not None:
        sql += " AND j.community_id = ?"
        params.append(community_id)
    rows = list(db.query(sql + " ORDER BY j.marked_at, t.id", params))
    for r in rows:
        r["departments"] = departments_of(db, r["id"])
    return rows
