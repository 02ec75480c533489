"""Statistics as the articles report them, and the grid rating 红/蓝/黄.

- received: tickets filed in the period (duplicates merged into another ticket not counted);
- 办结率: done (resolved, closed or answered) over received, leaving out rejected ones;
- 按时办结率: done by the deadline over done;
- 满意率: rated 满意 or 基本满意 over rated;
- open and overdue: right now, whatever the period.

Period queries read only the ``tickets_kpi`` covering index (created_at first), so they stay fast on
a million tickets; open/overdue use ``tickets_state_deadline``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import wording
from dispatch import outbox
from dispatch.clock import iso
from dispatch.states import OPEN_STATES, WORKING_STATES
from dispatch.store import transaction
from dispatch.tickets import dispatcher_ids
from settings import Config, RatingSettings

_OPEN = tuple(s.value for s in OPEN_STATES)
_WORKING = tuple(s.value for s in WORKING_STATES)

#: The sums every period query computes; `:good1`… are the good rating values bound at run time.
_SUMS = """
    count(*) AS received,
    sum(state != 'rejected') AS accepted,
    sum(state IN ('resolved', 'closed', 'answered')) AS done,
    sum(state = 'answered' OR (state IN ('resolved', 'closed') AND resolved_at <= deadline_at)) AS on_time,
    sum(rating IS NOT NULL) AS rated,
    sum(rating IN ({good})) AS satisfied
"""


def _sums_sql(good: list[str]) -> tuple[str, dict[str, str]]:
    names = {f"good{i}": value for i, value in enumerate(good)}
    return _SUMS.format(good=", ".join(f":{n}" for n in names) or "NULL"), names


def rate(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    row = {k: (v or 0) if k != "key" else v for k, v in row.items()}
    return {**row,
            "completion_rate": rate(row["done"], row["accepted"]),
            "on_time_rate": rate(row["on_time"], row["done"]),
            "satisfaction_rate": rate(row["satisfied"], row["rated"])}


def period_rows(db: Database, start: datetime, end: datetime, good: list[str], group: str | None = None,
                where: str = "", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Sums over tickets created in [start, end), grouped by an expression of ours (never user input)."""
    sums, names = _sums_sql(good)
    key = f"{group} AS key," if group else "NULL AS key,"
    sql = (f"SELECT {key} {sums} FROM tickets WHERE created_at >= :start AND created_at < :end "
           f"AND state != 'merged' {where}")
    if group:
        sql += f" GROUP BY {group} ORDER BY received DESC"
    rows = db.query(sql, {"start": iso(start), "end": iso(end), **names, **(params or {})})
    return [_rates(r) for r in rows]


def kpis(db: Database, config: Config, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    row = period_rows(db, start, end, config.settings.points.good_ratings)[0]
    marks = ", ".join("?" * len(_OPEN))
    row["open"] = db.execute(f"SELECT count(*) FROM tickets WHERE state IN ({marks})", _OPEN).fetchone()[0]
    marks = ", ".join("?" * len(_WORKING))
    row["overdue"] = db.execute(f"SELECT count(*) FROM tickets WHERE state IN ({marks}) AND deadline_at < ?",
                                [*_WORKING, iso(now)]).fetchone()[0]
    return row


def by_category(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return period_rows(db, start, end, config.settings.points.good_ratings, "category")


def by_grid(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return period_rows(db, start, end, config.settings.points.good_ratings, "grid_id")


def by_week(db: Database, config: Config, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per ISO week of creation (UTC weeks; close enough for a trend line), oldest first."""
    rows = period_rows(db, start, end, config.settings.points.good_ratings, "strftime('%Y-%W', created_at)")
    return sorted(rows, key=lambda r: r["key"] or "")


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
    activity: float
    satisfaction_rate: float | None
    score: float
    colour: str            # 红 | 蓝 | 黄


def colour_for(score: float, settings: RatingSettings) -> str:
    if score >= settings.red_at:
        return "红"
    return "蓝" if score >= settings.blue_at else "黄"


def score_for(settings: RatingSettings, completion: float | None, on_time: float | None, activity: float,
              satisfaction: float | None) -> float:
    """Weighted score out of 100. A rate with nothing to measure (no done or no rated tickets) is left
    out and the remaining weights rescaled, so a quiet grid is judged on what it did."""
    parts = [(settings.completion_weight, completion), (settings.on_time_weight, on_time),
             (settings.activity_weight, activity), (settings.satisfaction_weight, satisfaction)]
    known = [(w, v) for w, v in parts if v is not None]
    total = sum(w for w, _ in known)
    return round(100 * sum(w * v for w, v in known) / total, 1) if total else 0.0


def grid_ratings(db: Database, config: Config, start: datetime, end: datetime) -> list[GridRating]:
    """Every grid of the deployment, rated on the tickets created in the period; best first."""
    settings = config.settings.rating
    rows = {r["key"]: r for r in by_grid(db, config, start, end)}
    busiest = max((r["done"] for r in rows.values()), default=0)
    out = []
    for community in config.deployment.communities:
        for grid in community.grids:
            r = rows.get(grid.id)
            if r is None or r["received"] < settings.min_tickets:
                completion = on_time = satisfaction = None
                received = r["received"] if r else 0
                activity = 0.0
            else:
                completion, on_time, satisfaction = r["completion_rate"], r["on_time_rate"], r["satisfaction_rate"]
                received, activity = r["received"], (r["done"] / busiest if busiest else 0.0)
            score = score_for(settings, completion, on_time, activity, satisfaction)
            out.append(GridRating(grid.id, grid.name, community.id, received, completion, on_time,
                                  round(activity, 4), satisfaction, score, colour_for(score, settings)))
    return sorted(out, key=lambda g: (-g.score, g.grid_id))


def publish_ratings(db: Database, config: Config, start: datetime, end: datetime, label: str,
                    now: datetime) -> int:
    """Queue each community's ratings to its dispatchers (once per period label); returns messages queued."""
    ratings = grid_ratings(db, config, start, end)
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
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    before_id: int | None = None      # keyset paging: ids below this one


def find_tickets(db: Database, f: TicketFilter, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first. Paging by id keeps a deep page as cheap as the first one."""
    where, params = ["1 = 1"], {"limit": limit}
    if f.states:
        names = {f"s{i}": s for i, s in enumerate(f.states)}
        where.append(f"state IN ({', '.join(':' + n for n in names)})")
        params.update(names)
    for column, value in (("grid_id", f.grid_id), ("category", f.category)):
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
        params["before_id"] = f.before_id
    return list(db.query(f"SELECT * FROM tickets WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT :limit", params))


def timeline(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def photos(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def ratings(db: Database, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM ratings WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def photo(db: Database, media_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM media WHERE id = ?", [media_id]))
