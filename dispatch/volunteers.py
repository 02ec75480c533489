"""Volunteers (志愿者: 在职党员, 邻居党员, riders who opt in): their roster, and the small tasks opened to them.

A grid secretary or dispatcher opens a self-handled ticket to the community's volunteers (「征集 12」); the first
「认领 12」 wins (one guarded UPDATE, so of many at once exactly one row changes); the volunteer reports back with
words and a photo; the grid confirms (「确认 12」), which resolves the ticket (the reporter is asked to rate) and
credits the volunteer's 志愿服务积分 and service hours. The grid stays responsible for the ticket throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import wording
from dispatch import outbox, points, tickets, volunteer_match
from dispatch.clock import iso
from dispatch.states import OPEN_STATES, TransitionError
from dispatch.store import row_id, transaction
from dispatch.users import get_user, is_demo, staff_ids
from settings import Config

ROLE = "volunteer"


@dataclass(frozen=True)
class Call:
    """Who a 征集 reached: how many volunteers were pushed, whether only those who fit, the groups posted to."""

    told: int
    matched: bool
    groups: list[str]


class NotOpen(Exception):
    """The ticket was not opened to volunteers (or not to this volunteer's community)."""


class Taken(Exception):
    """Another volunteer claimed the task first."""

    def __init__(self, ticket_id: int, holder: str) -> None:
        super().__init__(f"ticket {ticket_id} taken by {holder}")
        self.ticket_id, self.holder = ticket_id, holder


class NotYours(Exception):
    """A volunteer reports on a task someone else claimed (or nobody did)."""


class NothingToConfirm(Exception):
    """「确认」 before the volunteer reported back, or after it was confirmed."""


# ---------------------------------------------------------------- roster


def profile(db: Database, user_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM volunteer_profiles WHERE user_id = ?", [user_id]))
    return rows[0] if rows else {"user_id": user_id, "skills": "", "free_times": ""}


def set_profile(db: Database, user_id: str, now: datetime, *, skills: str | None = None,
                free_times: str | None = None) -> dict[str, Any]:
    """Keep one roster field from chat (「我的服务时间 周末」, 「我的特长 水电维修」); returns the whole row."""
    old = profile(db, user_id)
    db.execute("INSERT INTO volunteer_profiles (user_id, skills, free_times, updated_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT(user_id) DO UPDATE SET skills = excluded.skills, free_times = excluded.free_times, "
               "updated_at = excluded.updated_at",
               [user_id, old["skills"] if skills is None else skills.strip(),
                old["free_times"] if free_times is None else free_times.strip(), iso(now)])
    return profile(db, user_id)


def roster(db: Database, community_id: str | None, demo: bool = False) -> list[dict[str, Any]]:
    """The community's volunteers with their roster fields, for the push and the dashboard."""
    ids = staff_ids(db, ROLE, community_id=community_id, demo=demo)
    return [{**get_user(db, i), **profile(db, i)} for i in ids]


def name_of(user: dict[str, Any]) -> str:
    return user.get("display_name") or wording.ROLE_NAMES[ROLE]


# ---------------------------------------------------------------- tasks


def task(db: Database, ticket_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM volunteer_tasks WHERE ticket_id = ?", [ticket_id]))
    return rows[0] if rows else None


def may_open(user: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """The ticket's grid secretary or the community's dispatcher."""
    return tickets.may_handle(user, ticket) or tickets.may_dispatch(user, ticket)


def open_task(db: Database, config: Config, ticket_id: int, user: dict[str, Any], now: datetime) -> Call:
    """「征集 12」: open a self-handled ticket to the community's volunteers: post it to the community's volunteer
    groups and push it to the volunteers who fit (volunteer_match); returns who was asked.

    :raises tickets.TicketNotFound, tickets.NotAllowed: no such ticket, or not this person's to open.
    :raises TransitionError: the ticket is transferred to a department, or no longer open.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not may_open(user, ticket):
        raise tickets.refusal(db, user, ticket)
    if ticket["department_id"] or ticket["state"] not in (s.value for s in OPEN_STATES):
        raise TransitionError(ticket_id, ticket["state"], "volunteer_call")
    everyone = roster(db, ticket["community_id"], is_demo(ticket["reporter"]))
    settings = config.settings.volunteers
    local_now = now.astimezone(ZoneInfo(config.settings.dispatch.timezone))
    people = [v["id"] for v in volunteer_match.matching(everyone, ticket, local_now, settings)]
    community = config.deployment.community(ticket["community_id"])
    groups = list(community.volunteer_groups) if community else []
    with transaction(db):
        db.execute("INSERT INTO volunteer_tasks (ticket_id, community_id, opened_by, opened_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING",
                   [ticket_id, ticket["community_id"], user["id"], iso(now)])
        tickets.add_event(db, ticket_id, user["id"], "volunteer_call", now, f"向 {len(people)} 位志愿者征集")
        for person in people:
            outbox.enqueue(db, person, wording.volunteer_call(ticket), now, ticket_id, f"volunteer-call:{ticket_id}:{person}")
        for group in groups:
            outbox.enqueue_to_group(db, group, config.deployment.groups[group], wording.volunteer_call(ticket), now,
                                    ticket_id, f"volunteer-call:{ticket_id}:{outbox.group_user_id(group)}")
    return Call(len(people), len(people) < len(everyone), [config.deployment.groups[g] for g in groups])


def claim(db: Database, ticket_id: int, user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """「认领 12」 by a volunteer: of several at once exactly one wins; returns the ticket.

    :raises NotOpen: the ticket is not open to volunteers of this person's community.
    :raises Taken: someone else claimed it first.
    """
    with transaction(db):
        won = db.execute("UPDATE volunteer_tasks SET claimed_by = ?, claimed_at = ? WHERE ticket_id = ? "
                         "AND claimed_by IS NULL AND community_id = ?",
                         [user["id"], iso(now), row_id(ticket_id), user.get("community_id") or ""]).rowcount
        current = task(db, ticket_id)
        if current is None or current["community_id"] != user.get("community_id"):
            raise NotOpen(ticket_id)
        if not won:
            if current["claimed_by"] == user["id"]:
                return tickets.get_ticket(db, ticket_id)
            raise Taken(ticket_id, name_of(get_user(db, current["claimed_by"])))
        ticket = tickets.get_ticket(db, ticket_id)
        who = name_of(user)
        tickets.add_event(db, ticket_id, user["id"], "volunteer_claimed", now, f"志愿者{who}认领")
        for person in _grid_side(db, ticket, current):
            outbox.enqueue(db, person, wording.volunteer_claimed_push(ticket_id, who), now, ticket_id,
                           f"volunteer-claimed:{ticket_id}:{person}")
        tickets.notify_reporters(db, ticket, wording.reporter_claimed(ticket_id, f"志愿者{who}"), now,
                                 "volunteer-claimed")
    return ticket


def report(db: Database, ticket_id: int, user: dict[str, Any], note: str, photos: list[dict[str, str]] | None,
           now: datetime) -> dict[str, Any]:
    """The volunteer says the task is done (words, perhaps a photo); the grid is asked to confirm.

    :raises NotYours: the task is not this volunteer's.
    :raises tickets.NeedsReason: no words and no photo.
    """
    current = task(db, ticket_id)
    if current is None or current["claimed_by"] != user["id"] or current["confirmed_at"]:
        raise NotYours(ticket_id)
    if not note.strip() and not photos:
        raise tickets.NeedsReason(ticket_id)
    ticket = tickets.get_ticket(db, ticket_id)
    with transaction(db):
        db.execute("UPDATE volunteer_tasks SET report = ?, reported_at = ? WHERE ticket_id = ?",
                   [note.strip(), iso(now), ticket_id])
        tickets.add_photos(db, ticket_id, photos, "result", now)
        tickets.add_event(db, ticket_id, user["id"], "volunteer_report", now, note.strip() or "（照片）")
        for person in _grid_side(db, ticket, current):
            outbox.enqueue(db, person, wording.volunteer_report_push(ticket_id, name_of(user), note.strip(),
                                                                     bool(photos)),
                           now, ticket_id, f"volunteer-report:{ticket_id}:{iso(now)}:{person}")
    return ticket


def confirm(db: Database, config: Config, ticket_id: int, user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """「确认 12」: the volunteer's work is accepted; the ticket is resolved (the reporter asked to rate) and the
    volunteer credited. Returns the task row.

    :raises tickets.TicketNotFound, tickets.NotAllowed: as for 征集.
    :raises NothingToConfirm: the volunteer has not reported back, or it was confirmed already.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not may_open(user, ticket):
        raise tickets.refusal(db, user, ticket)
    current = task(db, ticket_id)
    if current is None or not current["reported_at"] or current["confirmed_at"]:
        raise NothingToConfirm(ticket_id)
    s = config.settings.volunteers
    volunteer = get_user(db, current["claimed_by"])
    with transaction(db):
        changed = db.execute("UPDATE volunteer_tasks SET confirmed_by = ?, confirmed_at = ?, hours = ? "
                             "WHERE ticket_id = ? AND confirmed_at IS NULL",
                             [user["id"], iso(now), s.task_hours, ticket_id]).rowcount
        if not changed:
            raise NothingToConfirm(ticket_id)
        note = f"志愿者{name_of(volunteer)}：{current['report'] or '已完成'}"
        tickets.finish(db, config, ticket, user["id"], note, now)
        points.add_entry(db, volunteer["id"], s.task_points, f"志愿服务 工单#{ticket_id}", now,
                         f"volunteer-task:{ticket_id}", ticket_id, points.VOLUNTEER)
        outbox.enqueue(db, volunteer["id"], wording.volunteer_confirmed(ticket_id, s.task_points, s.task_hours),
                       now, ticket_id, f"volunteer-confirmed:{ticket_id}")
    return task(db, ticket_id) or {}


def service(db: Database, user_id: str) -> tuple[int, float]:
    """Confirmed tasks and service hours of one volunteer."""
    row = db.execute("SELECT count(*), coalesce(sum(hours), 0) FROM volunteer_tasks WHERE claimed_by = ? "
                     "AND confirmed_at IS NOT NULL", [user_id]).fetchone()
    return int(row[0]), float(row[1])


def _grid_side(db: Database, ticket: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Who hears of a task's progress: whoever opened it and the ticket's handlers."""
    return list(dict.fromkeys([current["opened_by"], *tickets.handler_ids(db, ticket)]))
