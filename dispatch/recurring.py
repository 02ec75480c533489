"""高频问题 (12345's 主动治理 / 未诉先办): the same category reported again and again at one place.

A place with dispatch.recurring_min_tickets reports of one category within dispatch.recurring_window_days is a
recurring problem. The dispatchers hear of each new one once (a daily job), see them on the dashboard and in
the weekly summary, and may open one 主动治理 ticket that links the reports, so the cause is handled once
instead of each symptom.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

import wording
from dispatch import outbox, tickets
from dispatch.clock import iso
from dispatch.routing import Route
from dispatch.store import transaction
from dispatch.users import get_user
from nlu.types import Entities, Parse
from settings import Config

INTENT = "governance"   # a 主动治理 ticket's intent: not a resident's report, so never counted as one


class NotRecurring(Exception):
    """The place and category are not (or no longer) a recurring problem."""


class NoDispatcher(Exception):
    """Nobody to open the ticket in the name of: the community has no dispatcher with a chat account."""


class AlreadyGoverned(Exception):
    """A 主动治理 ticket already links these reports."""

    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"already governed by ticket {ticket_id}")
        self.ticket_id = ticket_id


@dataclass
class Recurring:
    community_id: str | None
    place: str
    category: str
    grid_id: str | None          # the grid most of the reports went to
    ticket_ids: list[int]        # oldest first
    governance: int | None       # the 主动治理 ticket linking them, if one was opened


def find(db: Database, config: Config, now: datetime, community_id: str | None = None) -> list[Recurring]:
    """Recurring problems in the window ending at ``now``, most reports first."""
    s = config.settings.dispatch
    since = now - timedelta(days=s.recurring_window_days)
    sql = ("SELECT id, community_id, place, category, grid_id FROM tickets WHERE created_at >= ? AND created_at <= ? "
           "AND intent = 'report' AND place IS NOT NULL AND state NOT IN ('merged', 'rejected')")
    params: list[object] = [iso(since), iso(now)]
    if community_id:
        sql += " AND community_id = ?"
        params.append(community_id)
    groups: dict[tuple[str | None, str, str], list[dict[str, object]]] = {}
    for r in db.query(sql + " ORDER BY id", params):
        groups.setdefault((r["community_id"], r["place"], r["category"]), []).append(r)
    found = []
    for (community, place, category), rows in groups.items():
        if len(rows) < s.recurring_min_tickets:
            continue
        ids = [int(r["id"]) for r in rows]  # type: ignore[call-overload]
        grid = Counter(r["grid_id"] for r in rows).most_common(1)[0][0]
        found.append(Recurring(community, place, category, grid, ids, _governance(db, ids)))  # type: ignore[arg-type]
    return sorted(found, key=lambda r: (-len(r.ticket_ids), r.place, r.category))


def _governance(db: Database, ids: list[int]) -> int | None:
    marks = ", ".join("?" * len(ids))
    row = db.execute(f"SELECT ticket_id FROM ticket_events WHERE kind = 'governs' AND note IN ({marks}) "
                     "ORDER BY id DESC LIMIT 1", [str(i) for i in ids]).fetchone()
    return row[0] if row else None


def open_governance(db: Database, config: Config, community_id: str | None, place: str, category: str,
                    actor: str, now: datetime) -> Recurring:
    """One 主动治理 ticket for a recurring problem, linked to each of its reports; returns the problem with it.

    It goes to the grid most of the reports went to, on the category's deadline, and names the reports.

    :raises NotRecurring: the place and category are not a recurring problem now.
    :raises AlreadyGoverned: a 主动治理 ticket already links them.
    """
    match = next((r for r in find(db, config, now, community_id) if (r.place, r.category) == (place, category)),
                 None)
    if match is None:
        raise NotRecurring(place)
    if match.governance:
        raise AlreadyGoverned(match.governance)
    days = config.settings.dispatch.recurring_window_days
    text = wording.governance_text(place, category, days, match.ticket_ids)
    parse = Parse(text, INTENT, category, "一般", 1.0, Entities(community=community_id, place=place))
    route = Route("self", category, community_id, match.grid_id, None, False, wording.GOVERNANCE_REASON)
    # the ticket's 反映人 is the dispatcher who opened it; from the dashboard (no chat account), the community's
    reporter = actor if get_user(db, actor) else next(iter(tickets.dispatcher_ids(db, community_id)), None)
    if reporter is None:
        raise NoDispatcher(community_id)
    with transaction(db):
        ticket = tickets.create_ticket(db, config, reporter, parse, route, now).ticket
        for linked in match.ticket_ids:
            tickets.add_event(db, ticket["id"], actor, "governs", now, str(linked))
            tickets.add_event(db, linked, actor, "governed_by", now, f"#{ticket['id']}")
    match.governance = int(ticket["id"])
    return match


def notify_new(db: Database, config: Config, now: datetime) -> int:
    """The daily job: tell each community's dispatchers of each recurring problem nobody governs yet, once per
    run of reports (the outbox ignores a repeat); returns how many problems there are to tell."""
    told = 0
    with transaction(db):
        for r in find(db, config, now):
            if r.governance:
                continue
            body = wording.recurring_notice(r.place, r.category, len(r.ticket_ids),
                                            config.settings.dispatch.recurring_window_days)
            for person in tickets.dispatcher_ids(db, r.community_id):
                outbox.enqueue(db, person, body, now, None, f"recurring:{r.place}:{r.category}:{r.ticket_ids[0]}:{person}")
            told += 1
    return told
