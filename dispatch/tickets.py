"""Tickets: create, route, claim, resolve, rate, reopen. Every change writes an event row.

Functions take the time as ``now`` and never read the clock, so tests and the scheduler agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox
from dispatch.clock import add_hours, iso, local_text, parse_iso
from dispatch.routing import Route
from dispatch.states import CLAIMABLE_STATES, State, TransitionError, check_transition
from dispatch.store import transaction
from dispatch.users import get_user, staff_ids
from nlu.types import Parse
from settings import Config, Deployment


class TicketNotFound(Exception):
    """No such ticket, or not one this person may see."""


class NotAllowed(Exception):
    """The person is not the ticket's handler (or reporter)."""


class AlreadyClaimed(Exception):
    """Someone else won the race to claim the ticket."""

    def __init__(self, ticket_id: int, who: str) -> None:
        super().__init__(f"ticket {ticket_id} already claimed by {who}")
        self.ticket_id, self.who = ticket_id, who


@dataclass
class Created:
    ticket: dict[str, Any]
    route: Route


def deadline_hours(deployment: Deployment, category: str, urgency: str) -> float:
    """The category's time limit, shortened by an urgency level that has its own."""
    hours = deployment.category(category).deadline_hours
    for level in deployment.urgency:
        if level.name == urgency and level.deadline_hours > 0:
            hours = min(hours, level.deadline_hours)
    return hours


def get_ticket(db: Database, ticket_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM tickets WHERE id = ?", [ticket_id]))
    if not rows:
        raise TicketNotFound(ticket_id)
    return rows[0]


def add_event(db: Database, ticket_id: int, actor: str, kind: str, now: datetime, note: str = "",
              from_state: str | None = None, to_state: str | None = None) -> None:
    db.execute(
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, from_state, to_state, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", [ticket_id, iso(now), actor, kind, from_state, to_state, note])


def move(db: Database, ticket: dict[str, Any], to_state: State, actor: str, note: str, now: datetime,
         **fields: Any) -> dict[str, Any]:
    """Guarded state change with its event; extra fields are written in the same UPDATE."""
    check_transition(ticket["id"], ticket["state"], to_state.value)
    columns = {"state": to_state.value, "updated_at": iso(now), **fields}
    assignments = ", ".join(f"{name} = :{name}" for name in columns)  # names are ours, values bound
    with transaction(db):
        changed = db.execute(
            f"UPDATE tickets SET {assignments} WHERE id = :ticket_id AND state = :expected",
            {**columns, "ticket_id": ticket["id"], "expected": ticket["state"]},
        ).rowcount
        if not changed:
            raise TransitionError(ticket["id"], get_ticket(db, ticket["id"])["state"], to_state.value)
        add_event(db, ticket["id"], actor, to_state.value, now, note, ticket["state"], to_state.value)
    return get_ticket(db, ticket["id"])


def handler_ids(db: Database, ticket: dict[str, Any]) -> list[str]:
    """Who is pushed a ticket's work: the department's contacts if transferred, else the grid's secretaries."""
    if ticket["department_id"]:
        return staff_ids(db, "department", department_id=ticket["department_id"])
    if ticket["grid_id"]:
        return staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"])
    return []


def dispatcher_ids(db: Database, community_id: str | None) -> list[str]:
    return staff_ids(db, "dispatcher", community_id=community_id) or staff_ids(db, "dispatcher")


def may_handle(user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """Only the assigned department (when transferred) or the assigned grid may claim, update or close."""
    if ticket["department_id"]:
        return user.get("role") == "department" and user.get("department_id") == ticket["department_id"]
    return user.get("role") == "grid_secretary" and user.get("grid_id") == ticket["grid_id"] is not None


def notify_reporters(db: Database, ticket: dict[str, Any], body: str, now: datetime, key: str) -> None:
    """The reporter and everyone who reported the same problem later (followers)."""
    people = [ticket["reporter"]] + [r["user_id"] for r in db.query(
        "SELECT user_id FROM ticket_followers WHERE ticket_id = ?", [ticket["id"]])]
    for person in dict.fromkeys(people):
        outbox.enqueue(db, person, body, now, ticket["id"], f"{key}:{ticket['id']}:{person}")


def _assign_notices(db: Database, config: Config, ticket: dict[str, Any], route: Route, now: datetime,
                    key: str) -> None:
    deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
    if route.needs_review:
        for person in dispatcher_ids(db, ticket["community_id"]):
            outbox.enqueue(db, person, wording.review_needed(ticket, route.reason), now, ticket["id"],
                           f"{key}:review:{ticket['id']}:{person}")
        return
    for person in handler_ids(db, ticket):
        outbox.enqueue(db, person, wording.assignment(ticket, deadline, route.handling), now, ticket["id"],
                       f"{key}:assign:{ticket['id']}:{person}")
    if route.handling == "transfer":
        department = config.deployment.handler_name(None, ticket["department_id"])
        informed = staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"]) if ticket["grid_id"] else []
        informed += dispatcher_ids(db, ticket["community_id"])
        for person in informed:
            outbox.enqueue(db, person, wording.informed_of_transfer(ticket, department), now, ticket["id"],
                           f"{key}:inform:{ticket['id']}:{person}")


def create_ticket(db: Database, config: Config, reporter: str, parse: Parse, route: Route, now: datetime,
                  photos: list[dict[str, str]] | None = None, message_id: int | None = None) -> Created:
    """File a report: the ticket, its events, its photos and the pushes to whoever must act."""
    deployment = config.deployment
    e = parse.entities
    state = State.RECEIVED if route.needs_review else (
        State.TRANSFERRED if route.handling == "transfer" else State.ROUTED)
    hours = deadline_hours(deployment, route.category, parse.urgency)
    with transaction(db):
        ticket_id = db.execute(
            "INSERT INTO tickets (reporter, text, intent, category, handling, urgency, community_id, place, building,"
            " grid_id, department_id, state, confidence, deadline_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [reporter, parse.text, parse.intent, route.category, route.handling, parse.urgency,
             route.community_id, e.place or e.road or e.landmark, e.building, route.grid_id,
             route.department_id, state.value, parse.confidence, iso(add_hours(now, hours)), iso(now), iso(now)],
        ).lastrowid
        add_event(db, ticket_id, reporter, "received", now, parse.text, None, State.RECEIVED.value)
        if state != State.RECEIVED:
            add_event(db, ticket_id, "system", state.value, now, route.reason, State.RECEIVED.value, state.value)
        else:
            add_event(db, ticket_id, "system", "review", now, route.reason)
        for photo in photos or []:
            db.execute("INSERT INTO media (ticket_id, message_id, purpose, url, media_id, path, created_at) "
                       "VALUES (?, ?, 'report', ?, ?, ?, ?)",
                       [ticket_id, message_id, photo.get("url", ""), photo.get("media_id", ""), photo.get("path"),
                        iso(now)])
        ticket = get_ticket(db, ticket_id)
        _assign_notices(db, config, ticket, route, now, "new")
    return Created(ticket, route)


def assign(db: Database, config: Config, ticket_id: int, actor: str, now: datetime, grid_id: str | None,
           department_id: str | None, note: str = "") -> dict[str, Any]:
    """The dispatcher routes a reviewed ticket, or reassigns one, to a grid or a department."""
    ticket = get_ticket(db, ticket_id)
    handling = "transfer" if department_id else "self"
    community = config.deployment.community_of_grid(grid_id) if grid_id else None
    to_state = State.TRANSFERRED if department_id else State.ROUTED
    why = note or f"社区指派给{config.deployment.handler_name(grid_id, department_id)}"
    with transaction(db):
        ticket = move(db, ticket, to_state, actor, why, now, grid_id=grid_id or ticket["grid_id"],
                      department_id=department_id, handling=handling, claimed_by=None,
                      community_id=community.id if community else ticket["community_id"])
        route = Route(handling, ticket["category"], ticket["community_id"], ticket["grid_id"], department_id,
                      False, why)
        _assign_notices(db, config, ticket, route, now, f"assign{ticket_id}-{iso(now)}")
    return ticket


def claim(db: Database, config: Config, ticket_id: int, user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Claim a ticket. Of several people claiming at once exactly one wins; the rest get AlreadyClaimed."""
    ticket = get_ticket(db, ticket_id)
    if not may_handle(user, ticket):
        raise NotAllowed(ticket_id)
    claimable = tuple(s.value for s in CLAIMABLE_STATES)
    with transaction(db):
        won = db.execute(
            "UPDATE tickets SET state = 'claimed', claimed_by = ?, updated_at = ? "
            f"WHERE id = ? AND claimed_by IS NULL AND state IN ({', '.join('?' * len(claimable))})",
            [user["id"], iso(now), ticket_id, *claimable],
        ).rowcount
        if won:
            add_event(db, ticket_id, user["id"], "claimed", now, "", ticket["state"], State.CLAIMED.value)
    ticket = get_ticket(db, ticket_id)
    if not won:
        if ticket["claimed_by"]:
            holder = get_user(db, ticket["claimed_by"])
            raise AlreadyClaimed(ticket_id, holder.get("display_name") or "其他同事")
        raise TransitionError(ticket_id, ticket["state"], State.CLAIMED.value)
    who = user.get("display_name") or config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    notify_reporters(db, ticket, wording.reporter_claimed(ticket_id, who), now, "claimed")
    return ticket


def resolve(db: Database, config: Config, ticket_id: int, user: dict[str, Any], note: str, now: datetime,
            photos: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Close the work with a note (and photos of the result); the reporter is asked to rate."""
    ticket = get_ticket(db, ticket_id)
    if not may_handle(user, ticket):
        raise NotAllowed(ticket_id)
    with transaction(db):
        if ticket["state"] in (s.value for s in CLAIMABLE_STATES):   # closing unclaimed work claims it
            ticket = move(db, ticket, State.CLAIMED, user["id"], "办结时自动接单", now, claimed_by=user["id"])
        ticket = move(db, ticket, State.RESOLVED, user["id"], note, now, resolution=note, resolved_at=iso(now))
        for photo in photos or []:
            db.execute("INSERT INTO media (ticket_id, purpose, url, media_id, path, created_at) "
                       "VALUES (?, 'result', ?, ?, ?, ?)",
                       [ticket_id, photo.get("url", ""), photo.get("media_id", ""), photo.get("path"), iso(now)])
        notify_reporters(db, ticket, wording.reporter_resolved(ticket_id, note, len(photos or [])), now,
                         f"resolved-{iso(now)}")
    return ticket


def pending_rating(db: Database, reporter: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM tickets WHERE reporter = ? AND state = 'resolved' ORDER BY resolved_at DESC "
                         "LIMIT 1", [reporter]))
    return rows[0] if rows else None


def rate(db: Database, config: Config, ticket_id: int | None, user: dict[str, Any], value: str, comment: str,
         now: datetime) -> dict[str, Any]:
    """满意 / 基本满意 close the ticket; 不满意 reopens it to the same handler with a shorter deadline."""
    ticket = get_ticket(db, ticket_id) if ticket_id else pending_rating(db, user["id"])
    if ticket is None:
        raise TicketNotFound(ticket_id or 0)
    if ticket["reporter"] != user["id"]:
        raise TicketNotFound(ticket["id"])
    with transaction(db):
        db.execute("INSERT INTO ratings (ticket_id, user_id, value, comment, at) VALUES (?, ?, ?, ?, ?)",
                   [ticket["id"], user["id"], value, comment, iso(now)])
        if value != "不满意":
            return move(db, ticket, State.CLOSED, user["id"], f"评价：{value}", now, rating=value, closed_at=iso(now))
        original = parse_iso(ticket["deadline_at"]) - parse_iso(ticket["created_at"])
        deadline = now + original * config.settings.dispatch.reopen_deadline_factor
        ticket = move(db, ticket, State.REOPENED, user["id"], f"不满意：{comment}".rstrip("："), now, rating=value,
                      deadline_at=iso(deadline), reminders_sent=0, resolved_at=None)
        local_deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
        body = wording.reopened_for_handler(ticket["id"], local_deadline, comment)
        people = ([ticket["claimed_by"]] if ticket["claimed_by"] else handler_ids(db, ticket))
        people += dispatcher_ids(db, ticket["community_id"])
        for person in dict.fromkeys(people):
            outbox.enqueue(db, person, body, now, ticket["id"], f"reopen:{ticket['id']}:{iso(now)}:{person}")
    return ticket


def reporter_tickets(db: Database, reporter: str, limit: int = 10) -> tuple[list[dict[str, Any]], int]:
    """A person's own tickets (reported or followed), newest first, and how many there are."""
    sql = ("SELECT * FROM tickets WHERE reporter = :u OR id IN "
           "(SELECT ticket_id FROM ticket_followers WHERE user_id = :u)")
    rows = list(db.query(sql + " ORDER BY id DESC LIMIT :limit", {"u": reporter, "limit": limit}))
    total = db.execute(f"SELECT count(*) FROM ({sql})", {"u": reporter}).fetchone()[0]
    return rows, total


def may_see(db: Database, user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """Residents see their own (and followed) tickets; staff see what they handle or oversee."""
    if ticket["reporter"] == user.get("id"):
        return True
    if may_handle(user, ticket):
        return True
    role = user.get("role")
    if role == "dispatcher" and user.get("community_id") in (ticket["community_id"], None):
        return True
    if role in ("leader", "admin"):
        return True
    if role == "grid_secretary" and ticket["grid_id"] == user.get("grid_id"):
        return True   # the grid stays informed of transfers in its area
    return bool(list(db.query("SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND user_id = ?",
                              [ticket["id"], user.get("id")])))


def last_event(db: Database, ticket_id: int) -> dict[str, Any]:
    return next(iter(db.query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
                              [ticket_id])))


def result_photos(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE ticket_id = ? AND purpose = 'result' ORDER BY id", [ticket_id]))


def photos_json(photos: list[dict[str, str]]) -> str:
    return json.dumps(photos, ensure_ascii=False)
