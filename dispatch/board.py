"""The public board (公开栏, no login): each community's quarter in the open, as 12345 publishes its rankings
and FixMyStreet its reports.

- the grids' 红蓝黄 with the three rates (stats.grid_ratings, cut-offs or fixed shares per rating.colour_by);
- the 物业 companies rated the same way from the tickets in their estates (Place.property_company);
- an anonymised list of reports: number, category, the 小区/road/landmark (a deployment place name only,
  never a building, room, name, phone, shared position or the reporter's words), state and dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch import colours, rollup, stats
from dispatch.clock import iso
from dispatch.states import OPEN_STATES
from settings import Config

_OPEN_PARAMS = {f"open{i}": s.value for i, s in enumerate(OPEN_STATES)}
_OPEN_MARKS = ", ".join(f":{k}" for k in _OPEN_PARAMS)


@dataclass
class CompanyRating:
    """A 物业 company's quarter in its estates of one community."""

    name: str
    community_id: str
    estates: list[str]
    received: int
    completion_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    colour: str


def public_places(config: Config) -> dict[str, str]:
    """Every place name the deployment knows → its community id: the only places a public page names."""
    return {p.name: c.id for c in config.deployment.communities for g in c.grids for p in g.places}


def _estates(config: Config) -> dict[tuple[str, str], list[str]]:
    """(community id, company) → the estates it manages there."""
    found: dict[tuple[str, str], list[str]] = {}
    for c in config.deployment.communities:
        for g in c.grids:
            for p in g.places:
                if p.property_company and p.name not in found.get((c.id, p.property_company), []):
                    found.setdefault((c.id, p.property_company), []).append(p.name)
    return found


def company_ratings(db: Database, config: Config, start: datetime, end: datetime,
                    now: datetime) -> list[CompanyRating]:
    """物业 companies rated on the tickets filed in their estates in [start, end) as they stand at ``now``, best
    first; as for grids, a ticket still open before its deadline is no failure, and a company with nothing
    done, due or rated is not rated."""
    settings = config.settings.rating
    estates = _estates(config)
    names = sorted({n for places in estates.values() for n in places})
    if not names:
        return []
    sums, bound = rollup.sums_sql(config.settings.points.good_ratings)
    marks = ", ".join(f":p{i}" for i in range(len(names)))
    rows = {(r["community_id"], r["place"]): r for r in db.query(
        f"SELECT community_id, place, {sums}, count(CASE WHEN state IN ({_OPEN_MARKS}) AND (deadline_at IS NULL "
        f"OR deadline_at > :now) THEN 1 END) AS not_due FROM tickets WHERE created_at >= :start "
        f"AND created_at < :end AND state != 'merged' AND place IN ({marks}) GROUP BY community_id, place",
        {"start": iso(start), "end": iso(end), "now": iso(now), **bound, **_OPEN_PARAMS,
         **{f"p{i}": n for i, n in enumerate(names)}})}
    out = []
    for (community_id, company), places in estates.items():
        total = {k: sum((rows.get((community_id, p)) or {}).get(k) or 0 for p in places)
                 for k in (*rollup.COLUMNS, "not_due")}
        completion = stats.rate(total["done"], total["accepted"] - total["not_due"])
        on_time, satisfaction = stats.rate(total["on_time"], total["done"]), stats.rate(total["satisfied"],
                                                                                        total["rated"])
        measured = completion is not None or satisfaction is not None
        score = stats.score_for(settings, completion, on_time, None, satisfaction) if measured else None
        colour = stats.colour_for(score, settings) if score is not None else ""
        out.append(CompanyRating(company, community_id, places, total["received"], completion, on_time,
                                 satisfaction, score, colour))
    if settings.colour_by == "shares":
        for c, colour in zip(out, colours.by_share([c.score for c in out], settings.red_share,
                                                   settings.yellow_share)):
            c.colour = colour
    return sorted(out, key=lambda c: (c.score is None, -(c.score or 0), c.name))


def reports(db: Database, config: Config, start: datetime, end: datetime, community_id: str | None = None,
            grid_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Reports filed in [start, end), newest first, with nothing that names or locates a person.

    Each row: id, category, place (a deployment place name, else ""), community_id, grid_id, state,
    created_at, resolved_at. Questions (answered at once) and merged duplicates are left out.
    """
    where = ["created_at >= :start", "created_at < :end", "intent = 'report'", "state NOT IN ('merged', 'answered')"]
    params: dict[str, Any] = {"start": iso(start), "end": iso(end),
                              "limit": config.settings.rating.recent_reports if limit is None else limit}
    if community_id:
        where.append("community_id = :community")
        params["community"] = community_id
    if grid_id:
        where.append("grid_id = :grid")
        params["grid"] = grid_id
    known = public_places(config)
    rows = db.query("SELECT id, category, place, community_id, grid_id, state, created_at, resolved_at "
                    f"FROM tickets WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT :limit", params)
    return [{**r, "place": r["place"] if r["place"] in known else ""} for r in rows]
