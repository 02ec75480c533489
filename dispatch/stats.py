"""Statistics as the articles report them, and the grid rating 红/蓝/黄.

- received: tickets filed in the period (duplicates merged into another ticket not counted);
- 办结率: done (resolved, closed or answered) over received, leaving out rejected ones;
- 按时办结率: done by the deadline over done;
- 满意率: rated 满意 or 基本满意 over rated;
- 响应率 (12345's first rate): claimed within the response limit over tickets given a limit, leaving out those
  still unclaimed with the limit ahead (dispatch/responses.py);
- 解决率: said solved (the resident's 「已解决」, a 满意 without it, or the 回访 call) over those with an answer;
- open and overdue: right now, whatever the period.

Periods of whole local days (the dashboard's, the quarter's) read the daily rollup (dispatch/rollup.py),
so two years of a million tickets is a few thousand rows; other ranges read the ``tickets_kpi`` covering
index. Open and overdue use ``tickets_state_deadline``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import wording
from dispatch import colours, dialect, outbox, responses, rollup
from dispatch.clock import iso
from dispatch.states import OPEN_STATES, WORKING_STATES
from dispatch.store import row_id, transaction
from dispatch.tickets import dispatcher_ids
from settings import Config, RatingSettings

_OPEN = tuple(s.value for s in OPEN_STATES)
_WORKING = tuple(s.value for s in WORKING_STATES)

def rate(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    row = {k: (v or 0) if k != "key" else v for k, v in row.items()}
    return {**row,
            "completion_rate": rate(row["done"], row["accepted"]),
            "on_time_rate": rate(row["on_time"], row["done"]),
            "satisfaction_rate": rate(row["satisfied"], row["rated"]),
            "response_rate": rate(row["responded"], row["response_due"]),
            "resolution_rate": rate(row["solved"], row["solve_asked"])}


#: Raw grouping expressions over tickets, for periods that do not start and end at local midnight.
_RAW_GROUPS = {None: "NULL", "grid_id": "grid_id", "category": "category",
               "week": "strftime('%Y-%W', created_at)", "month": "substr(created_at, 1, 7)"}


def period_rows(db: Database, config: Config, start: datetime, end: datetime,
                group: str | None = None) -> list[dict[str, Any]]:
    """Sums over tickets created in [start, end), grouped by None, "grid_id", "category" or "week".

    Whole local days (what the dashboard and the quarterly rating ask) read the daily rollup, brought up to
    date first; any other range sums the tickets themselves.
    """
    if rollup.is_day_aligned(start, end, ZoneInfo(config.settings.dispatch.timezone)):
        rollup.refresh(db, config)
        rows = rollup.period_rows(db, config, start, end, group)
    else:
        sums, names = rollup.sums_sql(config.settings.points.good_ratings)
        expr = dialect.year_week(db, "created_at") if group == "week" else _RAW_GROUPS[group]
        sql = (f"SELECT {expr} AS key, {sums} FROM tickets WHERE created_at >= :start AND created_at < :end "
               "AND state != 'merged'")
        if group:
            sql += f" GROUP BY {expr} ORDER BY received DESC"
        rows = list(db.query(sql, {"start": iso(start), "end": iso(end), **names}))
    return [_rates(r) for r in rows] or [_rates({"key": None, **{c: 0 for c in rollup.COLUMNS}})]


def kpis(db: Database, config: Config, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    row = period_rows(db, config, start, end)[0]
    marks = ", ".join("?" * len(_OPEN))
    row["open"] = db.execute(f"SELECT count(*) FROM tickets WHERE state IN ({marks})", _OPEN).fetchone()[0]
    marks = ", ".join("?" * len(_WORKING))
    row["overdue"] = db.execute(f"SELECT count(*) FROM tickets WHERE state IN ({marks}) AND deadline_at < ?",
                                [*_WORKING, iso(now)]).fetchone()[0]
    row["response_rate"] = rate(row["responded"], row["response_due"] - sum(responses.pending(db, start, end,
                                                                                               now).values()))
    row["claim_average"] = row["claim_seconds"] / row["claimed"] if row["claimed"] else None
    return row


def three_rates(db: Database, config: Config, start: datetime, end: datetime,
                now: datetime) -> list[dict[str, Any]]:
    """12345's 三率 (响应率, 解决率, 满意率) per community, each with its grids' rows, in the deployment's order."""
    rows = {r["key"]: r for r in by_grid(db, config, start, end)}
    pending = responses.pending(db, start, end, now)
    out = []
    for community in config.deployment.communities:
        grids = []
        for grid in community.grids:
            r = rows.get(grid.id) or _rates({"key": grid.id, **{c: 0 for c in rollup.COLUMNS}})
            late_or_claimed = r["response_due"] - pending.get(grid.id, 0)
            grids.append({**r, "name": grid.name, "response_rate": rate(r["responded"], late_or_claimed),
                          "late_or_claimed": late_or_claimed})
        total = _rates({"key": community.id, **{c: sum(g[c] for g in grids) for c in rollup.COLUMNS}})
        total["response_rate"] = rate(total["responded"], sum(g["late_or_claimed"] for g in grids))
        out.append({**total, "name": community.name, "grids": grids})
    return out


def _grouped(db: Database, config: Config, start: datetime, end: datetime, group: str) -> list[dict[str, Any]]:
    return [r for r in period_rows(db, config, start, end, group) if r["received"]]


def by_category(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return _grouped(db, config, start, end, "category")


def by_grid(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return _grouped(db, config, start, end, "grid_id")


def by_week(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per week of creation (%Y-%W, weeks from Monday), oldest first."""
    return sorted(_grouped(db, config, start, end, "week"), key=lambda r: r["key"] or "")


def by_month(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return sorted(_grouped(db, config, start, end, "month"), key=lambda r: r["key"] or "")


def trend(db: Database, config: Config, start: datetime, end: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The trend line's unit and points: weeks for up to half a year, months beyond (a readable chart)."""
    if end - start > timedelta(days=183):
        return "month", by_month(db, config, start, end)
    return "week", by_week(db, config, start, end)


# ---------------------------------------------------------------- periods


def quarter_of(now: datetime, tz: str) -> tuple[datetime, datetime, str]:
    """The calendar quarter containing ``now`` in local time: (start, end, label like 2026Q4)."""
    local = now.astimezone(ZoneInfo(tz))
    q = (local.month - 1) // 3
    start = local.replace(month=3 * q + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if q == 3 else start.replace(month=3 * q + 4)
    return start, end, f"{start.year}Q{q + 1}"


def previous_quarter(now: datetime, tz: str) -> tuple[datetime, datetime, str]:
    start, _, _ = quarter_of(now, tz)
    return quarter_of(start - timedelta(days=1), tz)


# ---------------------------------------------------------------- grid rating 红/蓝/黄


@dataclass
class GridRating:
    grid_id: str
    grid_name: str
    community_id: str
    received: int
    completion_rate: float | None
    on_time_rate: float | None
    activity: float | None
    satisfaction_rate: float | None
    score: float | None    # None: nothing to judge yet (no ticket due, done or rated), so not rated
    colour: str            # 红 | 蓝 | 黄, or "" when not rated
    response_rate: float | None = None      # 响应率
    resolution_rate: float | None = None    # 解决率


def colour_for(score: float, settings: RatingSettings) -> str:
    if score >= settings.red_at:
        return "红"
    return "蓝" if score >= settings.blue_at else "黄"


def score_for(settings: RatingSettings, completion: float | None, on_time: float | None,
              activity: float | None, satisfaction: float | None, response: float | None = None,
              resolution: float | None = None) -> float | None:
    """Weighted score out of 100. A rate with nothing to measure (nothing due, done, rated, claimed or asked)
    is left out and the remaining weights rescaled, so a quiet grid is judged on what it did; None when nothing
    is left."""
    parts = [(settings.completion_weight, completion), (settings.on_time_weight, on_time),
             (settings.activity_weight, activity), (settings.satisfaction_weight, satisfaction),
             (settings.response_weight, response), (settings.resolution_weight, resolution)]
    known = [(w, v) for w, v in parts if v is not None]
    total = sum(w for w, _ in known)
    return round(100 * sum(w * v for w, v in known) / total, 1) if total else None


def not_yet_due(db: Database, start: datetime, end: datetime, now: datetime) -> dict[str, int]:
    """Per grid, the tickets created in the period that are still open with their deadline ahead (or not set
    yet): they say nothing about the grid's work so far."""
    marks = ", ".join("?" * len(_OPEN))
    rows = db.execute(f"SELECT grid_id, count(*) FROM tickets WHERE state IN ({marks}) "
                      "AND (deadline_at IS NULL OR deadline_at > ?) AND created_at >= ? AND created_at < ? "
                      "GROUP BY grid_id", [*_OPEN, iso(now), iso(start), iso(end)]).fetchall()
    return {grid_id: count for grid_id, count in rows}


def _unrated(grid: Any, community_id: str, received: int) -> GridRating:
    return GridRating(grid.id, grid.name, community_id, received, None, None, None, None, None, "")


def grid_ratings(db: Database, config: Config, start: datetime, end: datetime, now: datetime) -> list[GridRating]:
    """Every grid of the deployment, rated on the tickets created in the period as they stand at ``now``;
    best first. 办结率 counts only tickets done or due by now; a grid with nothing due, done or rated is not
    rated (a ticket filed today is no failure)."""
    settings = config.settings.rating
    rows = {r["key"]: r for r in by_grid(db, config, start, end)}
    pending = not_yet_due(db, start, end, now)
    unclaimed = responses.pending(db, start, end, now)
    busiest = max((r["done"] for r in rows.values()), default=0)
    out = []
    for community in config.deployment.communities:
        for grid in community.grids:
            r = rows.get(grid.id)
            received = r["received"] if r else 0
            if r is None or received < max(1, settings.min_tickets):
                # Nothing to judge: a quiet grid is not marked 黄 for having no reports.
                out.append(_unrated(grid, community.id, received))
                continue
            completion = rate(r["done"], r["accepted"] - pending.get(grid.id, 0))
            on_time, satisfaction = r["on_time_rate"], r["satisfaction_rate"]
            response = rate(r["responded"], r["response_due"] - unclaimed.get(grid.id, 0))
            resolution = r["resolution_rate"]
            activity = round(r["done"] / busiest, 4) if busiest else None
            # Activity only compares grids: a grid with nothing due, done, rated or late to claim is not judged on it.
            measured = any(v is not None for v in (completion, satisfaction, response, resolution))
            score = score_for(settings, completion, on_time, activity, satisfaction, response,
                              resolution) if measured else None
            if score is None:
                out.append(_unrated(grid, community.id, received))
                continue
            out.append(GridRating(grid.id, grid.name, community.id, received, completion, on_time,
                                  activity, satisfaction, score, colour_for(score, settings), response, resolution))
    if settings.colour_by == "shares":
        shares = colours.by_share([g.score for g in out], settings.red_share, settings.yellow_share)
        out = [replace(g, colour=c) for g, c in zip(out, shares)]
    return sorted(out, key=lambda g: (g.score is None, -(g.score or 0), g.grid_id))


def publish_ratings(db: Database, config: Config, start: datetime, end: datetime, label: str,
                    now: datetime) -> int:
    """Queue each community's ratings to its dispatchers (once per period label); returns messages queued."""
    ratings = grid_ratings(db, config, start, end, now)
    queued = 0
    with transaction(db):
        for community in config.deployment.communities:
            mine = [g for g in ratings if g.community_id == community.id]
            body = wording.grid_ratings(label, community.name, mine)
            for person in dispatcher_ids(db, community.id):
                outbox.enqueue(db, person, body, now, None, f"rating:{label}:{community.id}:{person}")
                queued += 1
    return queued


# ---------------------------------------------------------------- ticket lists for the dashboard and Open311


@dataclass
class TicketFilter:
    """What a list is narrowed to; every value is bound as a parameter."""

    states: tuple[str, ...] = ()
    grid_id: str | None = None
    category: str | None = None
    intent: str | None = None          # "report": what residents reported, not questions or 转人工
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    before_id: int | None = None      # keyset paging: ids below this one


def find_tickets(db: Database, f: TicketFilter, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first. Paging by id keeps a deep page as cheap as the first one."""
    where, params = ["1 = 1"], {"limit": limit}
    if f.states:
        names = {f"s{i}": s for i, s in enumerate(f.states)}
        # Open states are few, so their index helps; finished ones are most of the table, where walking ids
        # newest first and stopping at the limit is faster ("state || ''" keeps the planner off the index).
        column = "state" if set(f.states) <= set(_OPEN) else "(state || '')"
        where.append(f"{column} IN ({', '.join(':' + n for n in names)})")
        params.update(names)
    for column, value in (("grid_id", f.grid_id), ("category", f.category), ("intent", f.intent)):
        if value:
            where.append(f"{column} = :{column}")   # column names are ours
            params[column] = value
    if f.text:
        where.append("(text LIKE :text ESCAPE '\\' OR place LIKE :text ESCAPE '\\')")
        params["text"] = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if f.created_from:
        where.append("created_at >= :created_from")
        params["created_from"] = iso(f.created_from)
    if f.created_to:
        where.append("created_at < :created_to")
        params["created_to"] = iso(f.created_to)
    if f.before_id:
        where.append("id < :before_id")
        params["before_id"] = row_id(f.before_id)
    return list(db.query(f"SELECT * FROM tickets WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT :limit", params))


def export_details(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """What an export adds to each ticket row: the reporter's and the claimant's names, the last rating's reason."""
    found: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in db.query(
                "SELECT t.id, r.display_name AS reporter_name, r.external_id AS reporter_external, "
                "c.display_name AS claimed_name, (SELECT comment FROM ratings WHERE ticket_id = t.id "
                "ORDER BY id DESC LIMIT 1) AS rating_comment FROM tickets t JOIN users r ON r.id = t.reporter "
                f"LEFT JOIN users c ON c.id = t.claimed_by WHERE t.id IN ({', '.join('?' * len(chunk))})", chunk):
            found[row["id"]] = row
    return found


def overdue(t: dict[str, Any], now: datetime) -> bool | None:
    """Past its deadline: done after it, or still open beyond it; None when it had none or ended otherwise."""
    if not t.get("deadline_at"):
        return None
    if t.get("resolved_at"):
        return t["resolved_at"] > t["deadline_at"]
    if t["state"] in _OPEN:
        return iso(now) > t["deadline_at"]
    return None


def timeline(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's events, oldest first, each with its actor's role, display name and external id."""
    return list(db.query(
        "SELECT e.*, u.role AS actor_role, u.display_name AS actor_name, u.external_id AS actor_external "
        "FROM ticket_events e LEFT JOIN users u ON u.id = e.actor WHERE e.ticket_id = ? ORDER BY e.id",
        [ticket_id]))


def photos(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def ratings(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM ratings WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def photo(db: Database, media_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE id = ?", [row_id(media_id)]))
