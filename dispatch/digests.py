"""Digests: each morning every grid secretary gets their open work (due today, overdue); each week every
community dispatcher gets a summary. The worker calls these at the times in config; they take ``now``
and queue one message per person per day (or week), so a second run sends nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import wording
from dispatch import deadlines, joint, outbox, recurring, stats
from dispatch.clock import iso, local_text
from dispatch.states import WORKING_STATES
from dispatch.store import transaction
from dispatch.users import is_demo
from settings import Config

_WORKING = tuple(s.value for s in WORKING_STATES)
_IN = ", ".join("?" * len(_WORKING))


def grid_work(db: Database, config: Config, grid_id: str, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The grid's own open tickets (not those transferred to a department), split by deadline."""
    tz = config.settings.dispatch.timezone
    today = now.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d")
    rows = list(db.query(f"SELECT * FROM tickets WHERE grid_id = ? AND department_id IS NULL AND state IN ({_IN}) "
                         "ORDER BY deadline_at, id", [grid_id, *_WORKING]))
    overdue = [t for t in rows if t["deadline_at"] and t["deadline_at"] <= iso(now)]
    due_today = [t for t in rows if t not in overdue and (local_text(t["deadline_at"], tz) or "").startswith(today)]
    return {"open": rows, "due_today": due_today, "overdue": overdue}


#: Most tickets one chat reply lists; the dashboard has the rest.
WORK_LIST_LIMIT = 10


def staff_work(db: Database, user: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """What a staff member acts on next, soonest deadline first, and how many in all: a grid secretary's
    open grid tickets, a department contact's transferred ones, a dispatcher's review queue."""
    if user.get("role") == "grid_secretary" and user.get("grid_id"):
        where, params = f"grid_id = ? AND department_id IS NULL AND state IN ({_IN})", [user["grid_id"], *_WORKING]
    elif user.get("role") == "department" and user.get("department_id"):
        where = (f"(department_id = ? OR id IN (SELECT ticket_id FROM ticket_parts WHERE department_id = ? "
                 f"AND done_at IS NULL)) AND state IN ({_IN})")     # its own tickets and its 协办 parts
        params = [user["department_id"], user["department_id"], *_WORKING]
    elif user.get("role") == "dispatcher" and user.get("community_id"):   # and what no community was found for
        where, params = "(community_id = ? OR community_id IS NULL) AND state = 'received'", [user["community_id"]]
    else:
        return [], 0
    if is_demo(user.get("id")):
        where += " AND reporter LIKE 'demo:%'"     # a demo persona's list holds the demo's tickets only
    rows = list(db.query(f"SELECT id, state, text, deadline_at FROM tickets WHERE {where} "
                         f"ORDER BY deadline_at IS NULL, deadline_at, id LIMIT {WORK_LIST_LIMIT}", params))
    total = db.execute(f"SELECT count(*) FROM tickets WHERE {where}", params).fetchone()[0]
    return rows, total


def daily_digest(db: Database, config: Config, now: datetime) -> int:
    """Queue today's digest to each grid secretary with open work, on working days (China's calendar);
    returns how many were queued."""
    tz = config.settings.dispatch.timezone
    local_day = now.astimezone(ZoneInfo(tz)).date()
    if not deadlines.calendar(config).is_working_day(local_day):
        return 0                     # weekends, 法定节假日: the grids are off; the next working morning says it all
    day = local_day.isoformat()
    sent = 0
    secretaries = list(db.query("SELECT id, grid_id FROM users WHERE role = 'grid_secretary' AND grid_id IS NOT NULL AND channel != 'demo' "
                                "ORDER BY id"))
    with transaction(db):
        for person in secretaries:
            work = grid_work(db, config, person["grid_id"], now)
            if not work["open"]:
                continue
            body = wording.daily_digest(config.deployment.handler_name(person["grid_id"], None), work, tz)
            outbox.enqueue(db, person["id"], body, now, None, f"digest:{day}:{person['id']}")
            sent += 1
    return sent


def community_week(db: Database, config: Config, community_id: str, now: datetime) -> dict[str, Any]:
    """The community's last seven days in numbers, and each grid's open and overdue work now."""
    since = iso(now - timedelta(days=7))
    one = lambda sql, *p: db.execute(sql, [community_id, *p]).fetchone()[0]  # noqa: E731
    ratings = list(db.query(
        "SELECT r.value FROM ratings r JOIN tickets t ON t.id = r.ticket_id WHERE t.community_id = ? AND r.at >= ?",
        [community_id, since]))
    good = sum(1 for r in ratings if r["value"] in ("满意", "基本满意"))
    community = config.deployment.community(community_id)
    rates = next((c for c in stats.three_rates(db, config, now - timedelta(days=7), now, now)
                  if c["key"] == community_id), None)     # 三率 of the week's new tickets
    grid_rates = {g["key"]: g for g in rates["grids"]} if rates else {}
    grids = []
    for g in community.grids if community else []:
        work = grid_work(db, config, g.id, now)
        grids.append((g.name, len(work["open"]), len(work["overdue"]), grid_rates.get(g.id)))
    return {
        "name": community.name if community else community_id,
        "new": one("SELECT count(*) FROM tickets WHERE community_id = ? AND created_at >= ?", since),
        "resolved": one("SELECT count(*) FROM tickets WHERE community_id = ? AND resolved_at >= ?", since),
        "closed": one("SELECT count(*) FROM tickets WHERE community_id = ? AND state = 'closed' AND closed_at >= ?",
                      since),
        "rated": len(ratings), "satisfied": good,
        "reopened": one("SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                        "WHERE t.community_id = ? AND e.kind = 'reopened' AND e.at >= ?", since),
        "overdue": one(f"SELECT count(*) FROM tickets WHERE community_id = ? AND state IN ({_IN}) "
                       "AND deadline_at <= ?", *_WORKING, iso(now)),
        "review": one("SELECT count(*) FROM tickets WHERE community_id = ? AND state = 'received'"),
        "joint": len(joint.agenda(db, community_id)),
        "recurring": [(r.place, r.category, len(r.ticket_ids), r.governance)
                      for r in recurring.find(db, config, now, community_id)],
        "extensions": one("SELECT count(*) FROM extensions e JOIN tickets t ON t.id = e.ticket_id "
                          "WHERE t.community_id = ? AND e.state = 'pending'"),
        "grids": grids,
        "rates": rates,
    }


def weekly_summary(db: Database, config: Config, now: datetime) -> int:
    """Queue the week's summary to each community dispatcher; returns how many were queued."""
    year, week, _ = now.astimezone(ZoneInfo(config.settings.dispatch.timezone)).isocalendar()
    sent = 0
    dispatchers = list(db.query("SELECT id, community_id FROM users WHERE role = 'dispatcher' "
                                "AND community_id IS NOT NULL ORDER BY id"))
    with transaction(db):
        for person in dispatchers:
            body = wording.weekly_summary(community_week(db, config, person["community_id"], now))
            outbox.enqueue(db, person["id"], body, now, None, f"weekly:{year}-{week}:{person['id']}")
            sent += 1
    return sent
