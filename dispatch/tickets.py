"""Tickets: create, route, claim, resolve, rate, reopen. Every change writes an event row.

Functions take the time as ``now`` and never read the clock, so tests and the scheduler agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlite_utils import Database

import wording
from dispatch import deadlines, dialogue, emergencies, joint, outbox, responses
from dispatch.clock import iso, local_text
from dispatch.routing import Route, UnknownTarget, place_near, resolve_target
from dispatch.states import CLAIMABLE_STATES, OPEN_STATES, State, TransitionError, check_transition
from dispatch.store import row_id, transaction
from dispatch.users import get_user, is_demo, is_staff, staff_ids
from nlu.types import Parse
from settings import Config


class TicketNotFound(Exception):
    """No such ticket, or not one this person may see."""


class NotAllowed(Exception):
    """The person is not the ticket's handler (or reporter)."""


class NeedsReason(Exception):
    """Rejecting (and every other transition) must say why."""


class AlreadyClaimed(Exception):
    """Someone else won the race to claim the ticket."""

    def __init__(self, ticket_id: int, who: str) -> None:
        super().__init__(f"ticket {ticket_id} already claimed by {who}")
        self.ticket_id, self.who = ticket_id, who


@dataclass(frozen=True)
class Location:
    """A position the reporter shared, and the label their map app gave it ("" when it gave none)."""

    lat: float
    lon: float
    label: str = ""


def on_earth(lat: float, lon: float) -> bool:
    """A point that can exist: finite, latitude within ±90 and longitude within ±180 (NaN, infinity or
    200° once made a ticket that broke the sender's next report)."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _location_columns(config: Config, location: Location | None) -> tuple[float | None, float | None, str | None]:
    """(lat, lon, location_label); without the sender's label, the nearest known place names the spot."""
    if location is None:
        return None, None, None
    near = place_near(config.deployment, (location.lat, location.lon))
    label = location.label.strip() or (wording.near_place(near) if near else "")
    return location.lat, location.lon, label or None


@dataclass
class Created:
    ticket: dict[str, Any]
    route: Route


def get_ticket(db: Database, ticket_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM tickets WHERE id = ?", [row_id(ticket_id)]))
    if not rows:
        raise TicketNotFound(ticket_id)
    return rows[0]


def add_photos(db: Database, ticket_id: int, photos: list[dict[str, str]] | None, purpose: str, now: datetime,
               message_id: int | None = None) -> list[int]:
    """Attach photos (and videos, voice recordings) to a ticket: 'report' (what was reported) or 'result'.
    Returns the new media rows' ids, in the order given."""
    return [db.execute("INSERT INTO media (ticket_id, message_id, purpose, url, media_id, path, created_at, kind, "
                   "thumb_media_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [ticket_id, message_id, purpose, photo.get("url", ""), photo.get("media_id", ""),
                    photo.get("path"), iso(now), photo.get("kind", "photo"), photo.get("thumb_media_id", "")]).lastrowid
            for photo in photos or []]


def photo_ids(db: Database, ticket_id: int, purpose: str) -> list[int]:
    """The media rows of a ticket's 'report' or 'result' photos, oldest first: what a push carries (a video or a
    recording is named in the push's text, never sent as an image)."""
    return [r[0] for r in db.execute("SELECT id FROM media WHERE ticket_id = ? AND purpose = ? AND kind = 'photo' "
                                     "ORDER BY id", [ticket_id, purpose]).fetchall()]


def attach_photos(db: Database, ticket_id: int, photos: list[dict[str, str]], purpose: str, now: datetime,
                  message_id: int | None = None) -> dict[str, Any]:
    """A photo sent on its own, after the words it belongs to, goes where the words went: a reporter's
    ('report') to whoever has the open ticket (the handler, or the review queue); a handler's ('result') to
    the reporters once the work is done. Otherwise it would only show as a count in 「进度」."""
    before = set(photo_ids(db, ticket_id, purpose))
    with transaction(db):
        add_photos(db, ticket_id, photos, purpose, now, message_id)
        ticket = get_ticket(db, ticket_id)
        new = [i for i in photo_ids(db, ticket_id, purpose) if i not in before]
        if not new:
            return ticket
        if purpose == "result" and ticket["state"] in (State.RESOLVED.value, State.CLOSED.value):
            notify_reporters(db, ticket, wording.reporter_result_photo(ticket_id, len(new)), now,
                             f"result-photo-{new[0]}", photos=new)
        elif purpose == "report" and ticket["state"] in (s.value for s in OPEN_STATES):
            people = [ticket["claimed_by"]] if ticket["claimed_by"] else (
                handler_ids(db, ticket) if ticket["state"] != State.RECEIVED.value
                else dispatcher_ids(db, ticket["community_id"]))
            for person in people:
                outbox.enqueue(db, person, wording.more_photos(ticket, len(new)), now, ticket_id,
                               f"report-photo-{new[0]}:{person}", new)
    return ticket


def add_event(db: Database, ticket_id: int, actor: str, kind: str, now: datetime, note: str = "",
              from_state: str | None = None, to_state: str | None = None) -> int:
    """Record what happened to a ticket; returns the event's id."""
    return db.execute(
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, from_state, to_state, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", [ticket_id, iso(now), actor, kind, from_state, to_state, note]).lastrowid


def add_events(db: Database, ticket_id: int, events: list[tuple[str, str, datetime, str, str | None, str | None]]) -> None:
    """Record several things that happened to a ticket, in order, in one statement: (actor, kind, at, note,
    from_state, to_state) each."""
    db.conn.executemany(
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(ticket_id, iso(at), actor, kind, from_state, to_state, note) for actor, kind, at, note, from_state, to_state
         in events])


def move(db: Database, ticket: dict[str, Any], to_state: State, actor: str, note: str, now: datetime,
         **fields: Any) -> dict[str, Any]:
    """Guarded state change with its event and its reason; extra fields are written in the same UPDATE."""
    if not note.strip():
        raise NeedsReason(f"ticket {ticket['id']}: a move to {to_state.value} needs a reason")
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
    demo = is_demo(ticket["reporter"])
    if ticket["department_id"]:
        return staff_ids(db, "department", department_id=ticket["department_id"], demo=demo)
    if ticket["grid_id"]:
        return staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"], demo=demo)
    return []


def dispatcher_ids(db: Database, community_id: str | None, demo: bool = False) -> list[str]:
    """The community's dispatchers, else every dispatcher; ``demo``: the demo's personas instead of real staff."""
    return (staff_ids(db, "dispatcher", community_id=community_id, demo=demo)
            or staff_ids(db, "dispatcher", demo=demo))


def other_world(user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """A demo persona and a ticket reported outside the demo: the persona may not see or touch it."""
    return is_demo(user.get("id")) and not is_demo(ticket["reporter"])


def may_handle(user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """Only the assigned department (when transferred) or the assigned grid may claim, update or close."""
    if other_world(user, ticket):
        return False
    if ticket["department_id"]:
        return user.get("role") == "department" and user.get("department_id") == ticket["department_id"]
    return user.get("role") == "grid_secretary" and user.get("grid_id") == ticket["grid_id"] is not None


def notify_reporters(db: Database, ticket: dict[str, Any], body: str, now: datetime, key: str,
                     public: str | None = None, photos: list[int] | None = None) -> None:
    """The reporter and everyone who reported the same problem later (followers); ``photos`` (media ids)
    go with the message, as the result photo goes with 「已办结」.

    :param public: what followers are told instead, when ``body`` carries a person's note (the handler's
        办结 words, a 驳回 reason): a follower may be a stranger to the first reporter, so they get the
        public status only (and no photos).
    """
    outbox.enqueue(db, ticket["reporter"], body, now, ticket["id"], f"{key}:{ticket['id']}:{ticket['reporter']}",
                   photos or ())
    for r in db.query("SELECT user_id FROM ticket_followers WHERE ticket_id = ? ORDER BY user_id", [ticket["id"]]):
        if r["user_id"] != ticket["reporter"]:
            outbox.enqueue(db, r["user_id"], body if public is None else public, now, ticket["id"],
                           f"{key}:{ticket['id']}:{r['user_id']}", (photos or ()) if public is None else ())


def reporters(db: Database, ticket: dict[str, Any]) -> list[str]:
    """The first reporter, then the followers, each once."""
    people = [ticket["reporter"]] + [r["user_id"] for r in db.query(
        "SELECT user_id FROM ticket_followers WHERE ticket_id = ? ORDER BY user_id", [ticket["id"]])]
    return list(dict.fromkeys(people))


def _assign_notices(db: Database, config: Config, ticket: dict[str, Any], route: Route, now: datetime,
                    key: str, evidence: Evidence | None = None) -> list[str]:
    """Push the ticket to whoever must act on it (the review queue, or the handler); returns who was pushed.

    :param evidence: the report's media when the caller has just attached them (a new ticket), else read.
    """
    deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
    urgent = config.deployment.is_urgent(ticket["urgency"])
    if evidence is None:
        evidence = Evidence(evidence_counts(db, ticket["id"]), photo_ids(db, ticket["id"], "report"))
    photos = evidence.photo_ids      # whoever must act sees what the reporter saw
    evidence_line = wording.evidence_line(**evidence.counts)
    if route.needs_review:
        review = "\n".join(filter(None, [wording.review_needed(ticket, route.reason, urgent), evidence_line]))
        people = dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"]))
        for person in people:
            outbox.enqueue(db, person, review, now, ticket["id"], f"{key}:review:{ticket['id']}:{person}", photos)
        return people
    body = "\n".join(filter(None, [wording.assignment(ticket, deadline, route.handling, urgent), evidence_line]))
    people = handler_ids(db, ticket)
    for person in people:
        outbox.enqueue(db, person, body, now, ticket["id"], f"{key}:assign:{ticket['id']}:{person}", photos)
    if route.handling == "transfer":
        department = config.deployment.handler_name(None, ticket["department_id"])
        informed = staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"], demo=is_demo(ticket["reporter"])) if ticket["grid_id"] else []
        informed += dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"]))
        for person in informed:
            outbox.enqueue(db, person, wording.informed_of_transfer(ticket, department), now, ticket["id"],
                           f"{key}:inform:{ticket['id']}:{person}")
    return people    # who must act: an emergency's alert still reaches those only informed of a transfer


def create_ticket(db: Database, config: Config, reporter: str, parse: Parse, route: Route, now: datetime,
                  photos: list[dict[str, str]] | None = None, message_id: int | None = None,
                  location: Location | None = None, reported_at: datetime | None = None) -> Created:
    """File a report: the ticket, its events, its photos and the pushes to whoever must act.

    :param location: a shared position; the ticket keeps it, so the push can say where to go.
    :param reported_at: when the person wrote it, if earlier (a line of an imported chat log): the ticket's
        created time. Its deadline still runs from ``now``, when the handler first hears of it.
    """
    e = parse.entities
    created_at = min(reported_at, now) if reported_at else now
    lat, lon, location_label = _location_columns(config, location)
    state = State.RECEIVED if route.needs_review else (
        State.TRANSFERRED if route.handling == "transfer" else State.ROUTED)
    limit = deadlines.deadline_for(config, route.category, parse.urgency, now)
    # a handler's 接单时限 starts now: its columns go into the INSERT, its marks with the deadline's
    respond, respond_marks = (responses.plan(config, route.category, parse.urgency, now) if state != State.RECEIVED
                              else (responses.STOPPED, []))
    with transaction(db, savepoint=False):     # no caller catches its errors: they end the caller's write
        ticket = list(db.query(
            "INSERT INTO tickets (reporter, text, intent, category, handling, urgency, community_id, place, building,"
            " grid_id, department_id, state, confidence, deadline_at, deadline_unit, clock_started_at, created_at,"
            " updated_at, lat, lon, location_label, respond_started_at, respond_by, respond_unit)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            [reporter, parse.text, parse.intent, route.category, route.handling, parse.urgency,
             route.community_id, e.where, e.building, route.grid_id,
             route.department_id, state.value, parse.confidence, iso(limit.at), limit.unit, iso(now),
             iso(created_at), iso(now), lat, lon, location_label, respond["respond_started_at"],
             respond["respond_by"], respond["respond_unit"]],
        ))[0]
        ticket_id = ticket["id"]
        events = [(reporter, "received", created_at, parse.text, None, State.RECEIVED.value)]
        if state != State.RECEIVED:
            events.append(("system", state.value, now, f"{route.reason}；{limit.why}", State.RECEIVED.value,
                           state.value))
            if route.department_id:
                events.append(("system", "to_department", now, route.department_id, None, None))
            deadlines.insert_marks(db, ticket_id, deadlines.planned_marks(config, now, limit.at, limit.unit)
                                   + respond_marks)
        else:
            events.append(("system", "review", now, route.reason, None, None))
        add_events(db, ticket_id, events)
        media = add_photos(db, ticket_id, photos, "report", now, message_id)
        pushed = _assign_notices(db, config, ticket, route, now, "new", Evidence.of(photos or [], media))
        if parse.emergency:        # a danger to life: the community and the leaders on duty hear of it now
            add_event(db, ticket_id, "system", emergencies.EVENT, now, parse.emergency)
            emergencies.alert(db, config, ticket, parse.emergency, now, pushed)
    return Created(ticket, route)


def _restart_clock(db: Database, config: Config, ticket: dict[str, Any], now: datetime,
                   factor: float = 1.0) -> tuple[dict[str, Any], str]:
    """A fresh deadline from now (first routing, a transfer, a reopen); returns the columns and why."""
    limit = deadlines.deadline_for(config, ticket["category"], ticket["urgency"], now, factor)
    deadlines.write_marks(db, config, ticket["id"], now, limit.at, limit.unit)
    return {"deadline_at": iso(limit.at), "deadline_unit": limit.unit, "clock_started_at": iso(now),
            "reminders_sent": 0, "escalation_level": 0}, limit.why


def for_action(db: Database, ticket_id: int, user: dict[str, Any],
               may: Callable[[dict[str, Any], dict[str, Any]], bool], words: str) -> tuple[dict[str, Any], str]:
    """The ticket and the person's words (a reason, an answer), once ``may(user, ticket)`` allows the action.

    :raises NotAllowed: ``may`` says no.
    :raises NeedsReason: the words are empty.
    """
    ticket = get_ticket(db, ticket_id)
    if not may(user, ticket):
        raise NotAllowed(ticket_id)
    if not words.strip():
        raise NeedsReason(ticket_id)
    return ticket, words.strip()


def may_dispatch(user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """The community's dispatcher (or a street-level one), leaders and admins may route, reject and merge."""
    if other_world(user, ticket):
        return False
    role = user.get("role")
    if role == "dispatcher":
        return user.get("community_id") in (None, ticket["community_id"]) or ticket["community_id"] is None
    return role in ("leader", "admin")


class AlreadyAssigned(TransitionError):
    """派单 to the grid or department that already has the ticket: nothing to change (work in hand stays)."""


def _assigned_state(department_id: str | None) -> State:
    return State.TRANSFERRED if department_id else State.ROUTED


def assign(db: Database, config: Config, ticket_id: int, actor: str, now: datetime, grid_id: str | None,
           department_id: str | None, note: str = "", reason: str | None = None) -> dict[str, Any]:
    """The dispatcher routes a reviewed ticket, or reassigns one, to a grid or a department.

    :param note: the dispatcher's words, added to "社区指派给…"; ``reason`` replaces the whole sentence.

    A ticket leaving the review queue, or going to a new department, starts a fresh deadline; moving it
    between grids keeps the one it has (the reporter has waited that long already).
    """
    ticket = get_ticket(db, ticket_id)
    handling = "transfer" if department_id else "self"
    grid_id = grid_id or ticket["grid_id"]
    if ticket["state"] != State.RECEIVED.value and (grid_id, department_id) == (ticket["grid_id"],
                                                                             ticket["department_id"]):
        raise AlreadyAssigned(ticket_id, ticket["state"], _assigned_state(department_id).value)
    community = config.deployment.community_of_grid(grid_id) if grid_id else None
    to_state = _assigned_state(department_id)
    handler = config.deployment.handler_name(grid_id, department_id)
    why = reason or f"社区指派给{handler}" + (f"：{note}" if note else "")
    before = ([ticket["claimed_by"]] if ticket["claimed_by"] else handler_ids(db, ticket)) \
        if ticket["state"] != State.RECEIVED.value else []
    with transaction(db):
        fields: dict[str, Any] = {}
        new_department = department_id and department_id != ticket["department_id"]
        if ticket["state"] == State.RECEIVED.value or new_department:
            fields, limit_why = _restart_clock(db, config, ticket, now)
            why += f"；{limit_why}"
        fields.update(responses.start_fields(db, config, ticket, now))   # the new handler's 接单时限
        ticket = move(db, ticket, to_state, actor, why, now, grid_id=grid_id, department_id=department_id,
                      handling=handling, claimed_by=None,
                      community_id=community.id if community else ticket["community_id"], **fields)
        if department_id:
            add_event(db, ticket_id, actor, "to_department", now, department_id)
        route = Route(handling, ticket["category"], ticket["community_id"], ticket["grid_id"], department_id,
                      False, why)
        # keyed by time and target: two moves within one second (转交, then 退回) are two sets of notices
        moment = f"{iso(now)}:{grid_id}:{department_id}"
        _assign_notices(db, config, ticket, route, now, f"assign{ticket_id}-{moment}")
        notify_reporters(db, ticket, wording.reporter_assigned(ticket_id, handler), now, f"assigned-{moment}")
        # the old handler stops working on it, unless a transfer keeps them informed (the grid stays in the loop)
        informed = set(staff_ids(db, "grid_secretary", grid_id=ticket["grid_id"], demo=is_demo(ticket["reporter"]))) if department_id else set()
        for person in set(before) - set(handler_ids(db, ticket)) - informed - {actor}:
            outbox.enqueue(db, person, wording.handed_over(ticket_id, handler), now, ticket_id,
                           f"handover:{ticket_id}:{moment}:{person}")
        if department_id:
            joint.check_automatic(db, config, ticket, now)
    return get_ticket(db, ticket_id)


def reassign(db: Database, config: Config, ticket_id: int, user: dict[str, Any], target: str, now: datetime,
             note: str = "") -> dict[str, Any]:
    """派单 / 改派 by name: a grid id or name, a department id or name, or 自办 (back to the ticket's grid).

    The plain function the dashboard calls too.

    :raises NotAllowed: the user is not a dispatcher of the ticket's community.
    :raises routing.UnknownTarget: the target names nothing, or several things.
    """
    ticket = get_ticket(db, ticket_id)
    if not may_dispatch(user, ticket):
        raise refusal(db, user, ticket)
    # a dispatcher picks among their own community's grids, also for a ticket whose community is not known yet
    community = user.get("community_id") if user.get("role") == "dispatcher" else None
    grid_id, department_id = resolve_target(config.deployment, target, community or ticket["community_id"])
    if grid_id is None and department_id is None:   # 自办: the grid that covers the place handles it
        if not ticket["grid_id"]:
            raise UnknownTarget(target, [], "这张工单还没有网格，请写明网格编号")
        grid_id = ticket["grid_id"]
    return assign(db, config, ticket_id, user["id"], now, grid_id, department_id, note)


def claim(db: Database, config: Config, ticket_id: int, user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Claim a ticket. Of several people claiming at once exactly one wins; the rest get AlreadyClaimed."""
    ticket = get_ticket(db, ticket_id)
    if not may_handle(user, ticket):
        raise refusal(db, user, ticket)
    claimable = tuple(s.value for s in CLAIMABLE_STATES)
    took = responses.claimed_fields(config, ticket, now)     # for 响应率
    with transaction(db):
        won = db.execute(
            "UPDATE tickets SET state = 'claimed', claimed_by = ?, updated_at = ?, claimed_at = ?, claim_seconds = ? "
            f"WHERE id = ? AND claimed_by IS NULL AND state IN ({', '.join('?' * len(claimable))})",
            [user["id"], iso(now), took["claimed_at"], took["claim_seconds"], ticket_id, *claimable],
        ).rowcount
        if won:
            add_event(db, ticket_id, user["id"], "claimed", now, f"{user.get('display_name') or user['id']}接单",
                      ticket["state"], State.CLAIMED.value)
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
        raise refusal(db, user, ticket)
    return finish(db, config, ticket, user["id"], note, now, photos)


def finish(db: Database, config: Config, ticket: dict[str, Any], actor: str, note: str, now: datetime,
           photos: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The work is done (the caller checked who may say so): resolved, and the reporter asked to rate."""
    ticket_id = ticket["id"]
    with transaction(db):
        if ticket["state"] in (s.value for s in CLAIMABLE_STATES):   # closing unclaimed work claims it
            ticket = move(db, ticket, State.CLAIMED, actor, "办结时自动接单", now, claimed_by=actor,
                          **responses.claimed_fields(config, ticket, now))
        said = note.strip()
        ticket = move(db, ticket, State.RESOLVED, actor, said or "已办结", now, resolution=said or "已办结",
                      resolved_at=iso(now))
        add_photos(db, ticket_id, photos, "result", now)
        shown = photo_ids(db, ticket_id, "result")       # those sent before 「办结」 count, and go, too
        keep = config.deployment.staff_numbers()     # work numbers a handler gives the resident stay whole
        notify_reporters(db, ticket, wording.reporter_resolved(ticket_id, said, len(shown), keep),
                         now, f"resolved-{iso(now)}", wording.reporter_resolved(ticket_id, "", len(shown)),
                         photos=shown)
        asked_until = now + timedelta(minutes=config.settings.conversation.rating_target_minutes)
        for person in reporters(db, ticket):     # a bare 「满意」 from them now rates this ticket
            dialogue.expect(db, person, None, "rating", now, asked_until, ticket_id)
    return ticket


def start(db: Database, config: Config, ticket_id: int, user: dict[str, Any], note: str,
          now: datetime) -> dict[str, Any]:
    """处理中: the handler says work has begun (claiming it first if nobody has); said again with a note, it
    is news on the way (「物业说明天换新桶」), passed on to the reporter."""
    ticket = get_ticket(db, ticket_id)
    if not may_handle(user, ticket):
        raise refusal(db, user, ticket)
    keep = config.deployment.staff_numbers()     # work numbers a handler gives the resident stay whole
    with transaction(db):
        if ticket["state"] == State.IN_PROGRESS.value and note.strip():
            news = add_event(db, ticket_id, user["id"], "progress", now, note.strip())
            notify_reporters(db, ticket, wording.reporter_started(ticket_id, note.strip(), keep),
                             now, f"progress-{news}", wording.reporter_started(ticket_id, ""))
            return ticket
        if ticket["state"] in (s.value for s in CLAIMABLE_STATES) and not ticket["claimed_by"]:
            ticket = move(db, ticket, State.CLAIMED, user["id"], "开始处理时自动接单", now, claimed_by=user["id"],
                          **responses.claimed_fields(config, ticket, now))
        ticket = move(db, ticket, State.IN_PROGRESS, user["id"], note.strip() or "开始处理", now)
        notify_reporters(db, ticket, wording.reporter_started(ticket_id, note.strip(), keep),
                         now, f"started-{iso(now)}", wording.reporter_started(ticket_id, ""))
    return ticket


def transfer(db: Database, config: Config, ticket_id: int, user: dict[str, Any], target: str, note: str,
             now: datetime) -> dict[str, Any]:
    """转交: the handler hands a ticket beyond its power to a department; grid and community stay informed.

    :raises routing.UnknownTarget: the target is not a department.
    """
    ticket = get_ticket(db, ticket_id)
    if not (may_handle(user, ticket) or may_dispatch(user, ticket)):
        raise refusal(db, user, ticket)
    grid_id, department_id = resolve_target(config.deployment, target)
    if department_id is None:
        raise UnknownTarget(target, [], "转交只能交给部门")
    if department_id == ticket["department_id"]:
        raise TransitionError(ticket_id, ticket["state"], State.TRANSFERRED.value)
    who = user.get("display_name") or user["id"]
    reason = f"{who}转交{config.deployment.handler_name(None, department_id)}" + (f"：{note}" if note else "")
    return assign(db, config, ticket_id, user["id"], now, ticket["grid_id"], department_id, reason=reason)


def send_back(db: Database, config: Config, ticket_id: int, user: dict[str, Any], reason: str,
              now: datetime) -> dict[str, Any]:
    """退回: a department says a transferred ticket is not theirs (「小区内部路灯，归物业」); it goes back to
    the grid, with the reason, and the grid and the community hear it."""
    ticket = get_ticket(db, ticket_id)
    if not (ticket["department_id"] and may_handle(user, ticket)):
        raise refusal(db, user, ticket)
    if not reason.strip():
        raise NeedsReason(ticket_id)
    if not ticket["grid_id"]:
        raise UnknownTarget("", [], "这张工单还没有网格，请联系社区调度员改派")
    who = config.deployment.handler_name(None, ticket["department_id"])
    with transaction(db):
        ticket = assign(db, config, ticket_id, user["id"], now, ticket["grid_id"], None,
                        reason=f"{who}退回：{reason.strip()}")
        for person in handler_ids(db, ticket) + dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"])):
            outbox.enqueue(db, person, wording.handler_sent_back(ticket_id, who, reason.strip()), now, ticket_id,
                           f"sent-back:{ticket_id}:{iso(now)}:{person}")
    return ticket


def reject(db: Database, config: Config, ticket_id: int, user: dict[str, Any], reason: str,
           now: datetime) -> dict[str, Any]:
    """驳回: the dispatcher decides this is not a problem the community handles; the reporter is told why."""
    ticket = get_ticket(db, ticket_id)
    if not may_dispatch(user, ticket):
        raise refusal(db, user, ticket)
    if not reason.strip():
        raise NeedsReason(ticket_id)
    with transaction(db):
        ticket = move(db, ticket, State.REJECTED, user["id"], f"驳回：{reason.strip()}", now, closed_at=iso(now))
        notify_reporters(db, ticket, wording.reporter_rejected(ticket_id, reason.strip()), now, "rejected",
                         wording.reporter_rejected(ticket_id, ""))
        for person in handler_ids(db, ticket):
            outbox.enqueue(db, person, wording.handler_withdrawn(ticket_id, reason.strip()), now, ticket_id,
                           f"withdrawn:{ticket_id}:{person}")
    return ticket


class OthersStillWaiting(Exception):
    """The reporter cannot withdraw a ticket that other residents reported too."""


def withdraw(db: Database, ticket_id: int, user: dict[str, Any], note: str, now: datetime) -> dict[str, Any]:
    """撤回: the reporter says it is no longer needed (「已经修好了」); the handlers are told not to go.

    Only the first reporter of a ticket nobody else joined, before the work has started. It ends like a
    驳回 (the ticket is not counted as the grid's work, and its report points are taken back, so reporting
    and withdrawing cannot farm points).
    """
    ticket = get_ticket(db, ticket_id)
    if ticket["reporter"] != user["id"]:
        raise NotAllowed(ticket_id)
    if ticket["reporters"] > 1:
        raise OthersStillWaiting(ticket_id)
    why = note.strip()
    with transaction(db):
        ticket = move(db, ticket, State.REJECTED, user["id"], "反映人撤回" + (f"：{why}" if why else ""), now,
                      closed_at=iso(now))
        for person in handler_ids(db, ticket) or dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"])):
            outbox.enqueue(db, person, wording.handler_withdrawn(ticket_id, why, by="反映人撤回"), now, ticket_id,
                           f"withdrawn:{ticket_id}:{person}")
    return ticket


def merge(db: Database, config: Config, ticket_id: int, into_id: int, user: dict[str, Any],
          now: datetime) -> dict[str, Any]:
    """合并: a duplicate filed as its own ticket joins another; its people follow the kept ticket."""
    ticket, target = get_ticket(db, ticket_id), get_ticket(db, into_id)
    if not (may_dispatch(user, ticket) and may_dispatch(user, target)):
        raise refusal(db, user, ticket if not may_dispatch(user, ticket) else target)
    if target["state"] not in (s.value for s in OPEN_STATES) or ticket_id == into_id:
        raise TransitionError(into_id, target["state"], State.MERGED.value)
    handlers = [ticket["claimed_by"]] if ticket["claimed_by"] else handler_ids(db, ticket)
    with transaction(db):
        ticket = move(db, ticket, State.MERGED, user["id"], f"与工单 #{into_id} 是同一问题，合并", now,
                      merged_into=into_id, closed_at=iso(now))
        for person in set(handlers) - {user["id"]}:     # whoever was on it stops, or follows the kept one
            outbox.enqueue(db, person, wording.handler_merged(ticket_id, into_id), now, ticket_id,
                           f"merged:{ticket_id}:{person}")
        people = [ticket["reporter"]] + [r["user_id"] for r in db.query(
            "SELECT user_id FROM ticket_followers WHERE ticket_id = ?", [ticket_id])]
        added = 0
        for person in dict.fromkeys(people):
            if person != target["reporter"]:
                added += db.execute("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                    [into_id, person]).rowcount
        db.execute("UPDATE tickets SET reporters = reporters + ? WHERE id = ?", [added, into_id])
        add_event(db, into_id, user["id"], "merged_in", now, f"工单 #{ticket_id} 并入，新增 {added} 位反映人")
        notify_reporters(db, ticket, wording.reporter_merged(ticket_id, into_id), now, "merged")
    return get_ticket(db, into_id)


def close_unrated(db: Database, config: Config, now: datetime) -> int:
    """Close tickets nobody rated within dispatch.rating_timeout_days as satisfied, if config says so."""
    s = config.settings.dispatch
    if not s.close_unrated_as_satisfied:
        return 0
    cutoff = iso(now - timedelta(days=s.rating_timeout_days))
    rows = list(db.query("SELECT * FROM tickets WHERE state = 'resolved' AND resolved_at <= ? ORDER BY id", [cutoff]))
    closed = 0
    for ticket in rows:
        why = f"{s.rating_timeout_days} 天未评价，默认满意"
        try:
            with transaction(db):
                move(db, ticket, State.CLOSED, "system", why, now, rating="满意", closed_at=iso(now))
                db.execute("INSERT INTO ratings (ticket_id, user_id, value, comment, at) VALUES (?, ?, '满意', ?, ?)",
                           [ticket["id"], ticket["reporter"], why, iso(now)])
                notify_reporters(db, ticket, wording.closed_by_default(ticket["id"], s.rating_timeout_days), now,
                                 "unrated")
        except TransitionError:   # rated meanwhile
            continue
        closed += 1
    return closed


@dataclass
class Rating:
    """What one person's 满意 / 不满意 did to a ticket."""

    ticket: dict[str, Any]
    decided: bool          # this answer closed or reopened the ticket (False: someone else had answered first)
    still_waiting: list[int]   # the person's other tickets still waiting for their rating, newest first


def awaiting_rating(db: Database, config: Config, user_id: str, now: datetime) -> list[dict[str, Any]]:
    """Tickets the person reported or followed, were asked to rate, and has not answered; last resolved first.

    Everyone on a ticket is asked when it is resolved. The first answer decides (closes or reopens it); the
    others stay waiting for rating_timeout_days, so that a co-reporter's answer is still heard.
    """
    since = iso(now - timedelta(days=config.settings.dispatch.rating_timeout_days))
    return list(db.query(
        "WITH mine AS (SELECT id FROM tickets WHERE reporter = :u "
        "              UNION SELECT ticket_id FROM ticket_followers WHERE user_id = :u), "
        "asked AS (SELECT t.*, (SELECT max(e.id) FROM ticket_events e WHERE e.ticket_id = t.id "
        "                       AND e.to_state = 'resolved') AS asked_event "
        "          FROM tickets t JOIN mine ON mine.id = t.id WHERE t.state IN ('resolved', 'closed', 'reopened')) "
        "SELECT a.* FROM asked a JOIN ticket_events e ON e.id = a.asked_event "
        "WHERE (a.state = 'resolved' OR e.at >= :since) "
        "AND NOT EXISTS (SELECT 1 FROM ticket_events answer WHERE answer.ticket_id = a.id AND answer.actor = :u "
        "                AND answer.id > a.asked_event AND answer.kind IN ('closed', 'reopened', 'late_rating')) "
        "ORDER BY a.asked_event DESC", {"u": user_id, "since": since}))


def rate(db: Database, config: Config, ticket_id: int | None, user: dict[str, Any], value: str, comment: str,
         now: datetime, solved: bool | None = None) -> Rating:
    """A reporter's or follower's answer, in two parts: 已解决 / 未解决 (``solved``, None when not said) and
    满意 / 基本满意 / 不满意 (``value``, "" when not said); without a number, the ticket they were asked about last.

    The first reporter's answer decides: 满意 / 基本满意 close the ticket, 不满意 or 未解决 reopen it to the same
    handler with a shorter deadline (see :func:`solved_from`). A follower's answer (someone who reported the same problem later, perhaps a
    stranger to the first) never closes or reopens another's ticket: it is recorded, once per resolution, and a
    不满意 is passed to the handler and the community, who decide what to do.

    :raises TicketNotFound: nothing waits for this person's rating, or the ticket is not theirs.
    :raises TransitionError: the ticket is not waiting for this person's rating.
    """
    waiting = awaiting_rating(db, config, user["id"], now)
    ticket = next((t for t in waiting if t["id"] == ticket_id), None) if ticket_id else next(iter(waiting), None)
    if ticket is None:
        if ticket_id is None:
            raise TicketNotFound(0)
        ticket = get_ticket(db, ticket_id)
        if not reported_it(db, ticket, user["id"]):
            raise TicketNotFound(ticket_id)
        raise TransitionError(ticket_id, ticket["state"], State.CLOSED.value)
    with transaction(db):
        db.execute("INSERT INTO ratings (ticket_id, user_id, value, comment, at, solved) VALUES (?, ?, ?, ?, ?, ?)",
                   [ticket["id"], user["id"], value, comment, iso(now), as_column(solved)])
        decided = ticket["state"] == State.RESOLVED.value and ticket["reporter"] == user["id"]
        if decided:
            ticket = _settle_rating(db, config, ticket, user, value, comment, now, solved)
        else:
            _record_late_rating(db, ticket, user["id"], value, comment, now, solved)
    left = [t["id"] for t in waiting if t["id"] != ticket["id"]]
    return Rating(get_ticket(db, ticket["id"]), decided, left)


def correct_rating(db: Database, config: Config, ticket_id: int, user: dict[str, Any], value: str, comment: str,
                   now: datetime, solved: bool | None = None) -> Rating:
    """Change the rating that decided a ticket, given moments ago by the same person (the caller keeps the
    window): the ticket waits for a rating again and the new answer decides, as the first one did. A half not
    said again keeps what the person said before (「已解决」, then 「满意」: solved and satisfied).

    :raises TicketNotFound: no such ticket.
    :raises TransitionError: the last change of the ticket was not this person's rating (work went on since).
    """
    ticket = get_ticket(db, ticket_id)
    last = last_update(db, ticket_id)
    if last["actor"] != user["id"] or last["kind"] not in (State.CLOSED.value, State.REOPENED.value):
        raise TransitionError(ticket_id, ticket["state"], State.RESOLVED.value)
    before = db.execute("SELECT value, solved FROM ratings WHERE ticket_id = ? AND user_id = ? ORDER BY id DESC "
                        "LIMIT 1", [ticket_id, user["id"]]).fetchone()
    solved = before[1] if solved is None and before else solved
    value = value or (before[0] if before else "")
    with transaction(db):
        db.execute("INSERT INTO ratings (ticket_id, user_id, value, comment, at, solved) VALUES (?, ?, ?, ?, ?, ?)",
                   [ticket_id, user["id"], value, comment, iso(now), as_column(solved)])
        was_reopened = ticket["state"] == State.REOPENED.value
        ticket = move(db, ticket, State.RESOLVED, user["id"], wording.rating_correction_note(value, solved), now,
                      rating=None, closed_at=None)
        ticket = _settle_rating(db, config, ticket, user, value, comment, now, solved)
        if was_reopened and ticket["state"] == State.CLOSED.value:   # the rework asked a moment ago is not needed
            _tell_handler_and_community(db, ticket, wording.rating_corrected_for_handler(ticket_id, value), now,
                                        f"rating-corrected:{ticket_id}:{iso(now)}")
    return Rating(get_ticket(db, ticket_id), True, [])

def reported_it(db: Database, ticket: dict[str, Any], user_id: str | None) -> bool:
    """The first reporter or a follower (who reported the same problem later): the people told of each step,
    who may see the ticket and are asked to rate it."""
    return ticket["reporter"] == user_id or bool(db.execute(
        "SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND user_id = ?", [ticket["id"], user_id]).fetchone())


def as_column(solved: bool | int | None) -> int | None:
    """1, 0 or NULL: an INTEGER column on both stores (PostgreSQL refuses a boolean there)."""
    return None if solved is None else int(solved)


def solved_from(value: str, solved: bool | None) -> bool | None:
    """解决率's answer: what the person said; unsaid, 满意 / 基本满意 count as solved, and 不满意 leaves it unknown
    (the work may be done but badly)."""
    if solved is not None:
        return bool(solved)
    return True if value in ("满意", "基本满意") else None


def _settle_rating(db: Database, config: Config, ticket: dict[str, Any], user: dict[str, Any], value: str,
                   comment: str, now: datetime, solved: bool | None = None) -> dict[str, Any]:
    """The first answer on a resolved ticket: close it, or (不满意, 未解决) reopen it to the same handler."""
    said = wording.rating_note(value, solved)     # what the person said; the ticket keeps what it means
    solved = solved_from(value, solved)
    if value != "不满意" and solved is not False:
        return move(db, ticket, State.CLOSED, user["id"], f"评价：{said}", now, rating=value or None,
                    closed_at=iso(now), solved=as_column(solved))
    fields, limit_why = _restart_clock(db, config, ticket, now, config.settings.dispatch.reopen_deadline_factor)
    why = f"{said}：{comment}".rstrip("：") + f"；差评整改，{limit_why}"
    ticket = move(db, ticket, State.REOPENED, user["id"], why, now, rating=value or None, resolved_at=None,
                  solved=as_column(solved), **fields)
    local_deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
    body = wording.reopened_for_handler(ticket["id"], local_deadline, comment, solved is False)
    _tell_handler_and_community(db, ticket, body, now, f"reopen:{ticket['id']}:{iso(now)}")
    return ticket


#: The same settling for a dispatcher's 回访 (dispatch/followups.py): 不满意 or 未解决 reopens, anything else closes.
settle_rating = _settle_rating


def _record_late_rating(db: Database, ticket: dict[str, Any], user_id: str, value: str, comment: str,
                        now: datetime, solved: bool | None = None) -> None:
    """A co-reporter answers after someone else decided: kept on the ticket; a 不满意 or 未解决 goes to handler
    and community."""
    said = wording.rating_note(value, solved)
    note = f"{said}：{comment}" if comment else said
    add_event(db, ticket["id"], user_id, "late_rating", now, f"另一位反映人评价：{note}")
    if value == "不满意" or solved is False:
        body = wording.late_complaint_for_handler(ticket["id"], ticket["state"], comment)
        _tell_handler_and_community(db, ticket, body, now, f"late-rating:{ticket['id']}:{user_id}:{iso(now)}")


def _tell_handler_and_community(db: Database, ticket: dict[str, Any], body: str, now: datetime, key: str) -> None:
    people = ([ticket["claimed_by"]] if ticket["claimed_by"] else handler_ids(db, ticket))
    people += dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"]))
    for person in dict.fromkeys(people):
        outbox.enqueue(db, person, body, now, ticket["id"], f"{key}:{person}")


def reporter_tickets(db: Database, reporter: str, limit: int = 10) -> tuple[list[dict[str, Any]], int]:
    """A person's own tickets (reported or followed), newest first, and how many there are.

    Each row carries only ``id``, ``state`` and ``text``, the columns of the list (``wording.ticket_line``):
    the reported ones are read from the index ``tickets_reporter_listing`` alone, one page per resident,
    instead of one table page per ticket (a resident's first read from disk at a million tickets).
    Use :func:`get_ticket` for the rest of a ticket.

    :param reporter: the user id
    :param limit: how many rows to return; the count is only run when there may be more
    """
    params = {"u": reporter, "limit": limit}
    # UNION, not OR: under OR SQLite seeks every row in the table even when one branch's index covers it.
    rows = list(db.query("SELECT id, state, text FROM tickets WHERE reporter = :u UNION "
                         "SELECT t.id, t.state, t.text FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id "
                         "WHERE f.user_id = :u ORDER BY id DESC LIMIT :limit", params))
    mark_withdrawn(db, rows)
    if len(rows) < limit:
        return rows, len(rows)
    total = db.execute("SELECT count(*) FROM (SELECT id FROM tickets WHERE reporter = :u "
                       "UNION SELECT ticket_id FROM ticket_followers WHERE user_id = :u)", params).fetchone()[0]
    return rows, total


def mark_withdrawn(db: Database, rows: list[dict[str, Any]]) -> None:
    """Set ``withdrawn`` on the 驳回 rows the reporter made themselves (「撤回 12」), so lists say 已撤回."""
    ended = [r["id"] for r in rows if r["state"] == State.REJECTED.value]
    if not ended:
        return
    mine = {r["id"] for r in db.query(
        "SELECT t.id FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = 'rejected' "
        f"AND e.actor = t.reporter WHERE t.id IN ({', '.join('?' * len(ended))})", ended)}
    for r in rows:
        r["withdrawn"] = r["id"] in mine


def follows_only(db: Database, user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """A follower with no other right to the ticket: they read its public status only (see follower_view)."""
    return (user.get("id") != ticket["reporter"] and not may_handle(user, ticket) and not may_dispatch(user, ticket)
            and not is_staff(user) and reported_it(db, ticket, user.get("id")))


def follower_view(ticket: dict[str, Any]) -> dict[str, Any]:
    """What a follower reads of a ticket: its category, place and state — not the first reporter's words, the
    shared location's label or the handler's result note."""
    return {**ticket, "text": wording.public_description(ticket), "location_label": None, "resolution": None}


def refusal(db: Database, user: dict[str, Any], ticket: dict[str, Any]) -> Exception:
    """The error for someone who may not act on a ticket: NotAllowed when they may see it anyway (the grid
    informed of a transfer), else TicketNotFound, so that staff cannot probe which ticket numbers exist and
    whose they are (「接单 N」 answered differently for a number that exists)."""
    return NotAllowed(ticket["id"]) if may_see(db, user, ticket) else TicketNotFound(ticket["id"])


def may_see(db: Database, user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """Residents see their own (and followed) tickets; staff see what they handle or oversee."""
    if may_handle(user, ticket):
        return True
    if other_world(user, ticket):
        return False
    role = user.get("role")
    if role == "dispatcher" and user.get("community_id") in (ticket["community_id"], None):
        return True
    if role == "dispatcher" and ticket["community_id"] is None:
        return True   # no community found for it yet: every community's dispatcher was asked to review it
    if role in ("leader", "admin"):
        return True
    if role == "grid_secretary" and ticket["grid_id"] == user.get("grid_id"):
        return True   # the grid stays informed of transfers in its area
    if role == "department" and db.execute("SELECT 1 FROM ticket_parts WHERE ticket_id = ? AND department_id = ?",
                                           [ticket["id"], user.get("department_id")]).fetchone():
        return True   # a 协办 unit
    return reported_it(db, ticket, user.get("id"))


def last_event(db: Database, ticket_id: int) -> dict[str, Any]:
    return next(iter(db.query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
                              [ticket_id])))


def last_update(db: Database, ticket_id: int) -> dict[str, Any]:
    """The latest change a reporter cares about: a state change (with its reason), not a reminder."""
    rows = list(db.query("SELECT * FROM ticket_events WHERE ticket_id = ? AND to_state IS NOT NULL "
                         "ORDER BY id DESC LIMIT 1", [ticket_id]))
    return rows[0] if rows else last_event(db, ticket_id)


def current_work(db: Database, user_id: str, resolved_since: datetime) -> dict[str, Any] | None:
    """The ticket a handler's photo belongs to: the one they are working on, or just closed, most recent first.

    WeChat sends a photo as a message of its own, so 「办结 12」 and its photo arrive apart.
    """
    rows = list(db.query(
        "SELECT id, state FROM tickets WHERE claimed_by = ? AND (state IN ('claimed', 'in_progress') "
        "OR (state = 'resolved' AND resolved_at >= ?)) ORDER BY updated_at DESC, id DESC LIMIT 1",
        [user_id, iso(resolved_since)]))
    return rows[0] if rows else None


def latest_report(db: Database, reporter: str, since: datetime) -> int | None:
    """The id of the newest ticket a person filed at or after ``since``, if any."""
    row = db.execute("SELECT id FROM tickets WHERE reporter = ? AND created_at >= ? ORDER BY id DESC LIMIT 1",
                     [reporter, iso(since)]).fetchone()
    return row[0] if row else None

def move_photos(db: Database, message_id: int, ticket_id: int) -> None:
    """The report photos one message brought go to another ticket (they were added to the wrong one)."""
    db.execute("UPDATE media SET ticket_id = ? WHERE message_id = ? AND purpose = 'report'", [ticket_id, message_id])
    db.execute("UPDATE messages SET ticket_id = ? WHERE id = ?", [ticket_id, message_id])


@dataclass(frozen=True)
class Evidence:
    """A report's media as its push needs them: how many of each kind, and the photos' media row ids."""

    counts: dict[str, int]
    photo_ids: list[int]

    @classmethod
    def of(cls, photos: list[dict[str, str]], ids: list[int]) -> "Evidence":
        """The evidence of media just attached (``ids`` as add_photos returned them), without reading them back."""
        kinds = [p.get("kind", "photo") for p in photos]
        return cls({"photos": kinds.count("photo"), "videos": kinds.count("video"), "recordings": kinds.count("voice")},
                   [i for i, kind in zip(ids, kinds) if kind == "photo"])


def evidence_counts(db: Database, ticket_id: int) -> dict[str, int]:
    """How many photos, videos and recordings a report carries, for the handler's push."""
    counts = dict(db.execute("SELECT kind, count(*) FROM media WHERE ticket_id = ? AND purpose = 'report' "
                             "GROUP BY kind", [ticket_id]).fetchall())
    return {"photos": counts.get("photo", 0), "videos": counts.get("video", 0), "recordings": counts.get("voice", 0)}


def result_photos(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE ticket_id = ? AND purpose = 'result' ORDER BY id", [ticket_id]))
