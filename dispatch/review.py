"""The community's review queue: what waits for a dispatcher, and a grid sending a ticket back to it.

The queue holds the reports the bot could not route with confidence and the questions nobody could answer
(转人工); a grid secretary sends back what is not the grid's to do (「退回审核 12 重复的恶作剧」), and the
dispatchers decide it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, responses, tickets
from dispatch.clock import iso
from dispatch.states import State
from dispatch.store import transaction
from dispatch.users import is_demo
from settings import Config

#: Most tickets one chat reply lists per part; the dashboard's review page has the rest.
QUEUE_LIMIT = 8


@dataclass
class Queue:
    """A dispatcher's 待办: reports to route and questions to answer, oldest first, and how many of each."""

    reports: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    report_total: int
    question_total: int


def queue(db: Database, user: dict[str, Any]) -> Queue:
    """The review queue of the dispatcher's community, with the tickets no community could be found for
    (those reach every dispatcher, as their push did); a street-level dispatcher sees all."""
    where, params = "state = 'received'", []
    if user.get("community_id"):
        where += " AND (community_id = ? OR community_id IS NULL)"
        params.append(user["community_id"])
    if is_demo(user.get("id")):
        where += " AND reporter LIKE 'demo:%'"     # a demo persona's queue holds the demo's tickets only
    parts = {}
    for name, handling in (("reports", "handling != 'reply'"), ("questions", "handling = 'reply'")):
        sql = f"FROM tickets WHERE {where} AND {handling}"
        rows = list(db.query(f"SELECT id, state, text, urgency, handling, created_at {sql} "
                             f"ORDER BY id LIMIT {QUEUE_LIMIT}", params))
        total = len(rows) if len(rows) < QUEUE_LIMIT else db.execute(f"SELECT count(*) {sql}", params).fetchone()[0]
        parts[name] = (rows, total)
    return Queue(parts["reports"][0], parts["questions"][0], parts["reports"][1], parts["questions"][1])


def return_to_review(db: Database, config: Config, ticket_id: int, user: dict[str, Any], reason: str,
                     now: datetime) -> dict[str, Any]:
    """「退回审核 N 理由」: the grid sends a ticket that is not its work (junk, a joke, someone else's matter)
    back to the community's review queue; the dispatchers are told why, and the ticket waits there.

    :raises tickets.NotAllowed: not the grid (or department) that has the ticket.
    :raises tickets.NeedsReason: no reason given.
    :raises TransitionError: the work has gone too far (in progress, done) to send it back.
    """
    ticket, reason = tickets.for_action(db, ticket_id, user, tickets.may_handle, reason)
    who = user.get("display_name") or wording.ROLE_NAMES.get(user.get("role", ""), "网格")
    with transaction(db):
        ticket = tickets.move(db, ticket, State.RECEIVED, user["id"], f"{who}退回审核：{reason}", now,
                              claimed_by=None, **responses.STOPPED)
        urgent = config.deployment.is_urgent(ticket["urgency"])
        for person in tickets.dispatcher_ids(db, ticket["community_id"], is_demo(ticket["reporter"])):
            outbox.enqueue(db, person, wording.review_needed(ticket, f"{who}退回：{reason}", urgent), now,
                           ticket_id, f"back-to-review:{ticket_id}:{iso(now)}:{person}")
    return ticket
