"""The roster of volunteers and team riders, their 星级 (star grading), and the rows the dashboard lists and the
民主评议 export writes.

Stars come from ``volunteers.stars`` in config.yaml: a level is reached with at least its points (志愿服务积分
earned, net of take-backs; spending on 兑换 never lowers a star) and at least its hours of confirmed service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import points, volunteers
from dispatch.users import DEMO_CHANNEL
from settings import Config, StarLevel


@dataclass(frozen=True)
class Stars:
    stars: int                        # 0: not graded yet
    next: StarLevel | None            # the level to reach next (None at the top)


def grade(earned: int, hours: float, levels: list[StarLevel]) -> Stars:
    reached = [lv for lv in levels if earned >= lv.points and hours >= lv.hours]
    stars = max((lv.stars for lv in reached), default=0)
    return Stars(stars, next((lv for lv in levels if lv.stars > stars), None))


def grade_of(db: Database, config: Config, user_id: str) -> tuple[Stars, int, float]:
    """One person's stars, with the points and hours they rest on."""
    earned = points.earned(db, user_id).get(user_id, 0)
    _, hours = volunteers.service(db, user_id)
    return grade(earned, hours, config.settings.volunteers.stars), earned, hours


@dataclass(frozen=True)
class Filter:
    community: str = ""
    skill: str = ""          # a word in the skills the person gave
    free_time: str = ""      # a word in the free times the person gave (周末, 晚上…)
    min_stars: int = 0


def rows(db: Database, config: Config, where: Filter = Filter()) -> list[dict[str, Any]]:
    """Volunteers and team riders (the demo's personas left out), with their roster fields (phone numbers
    masked), team, points, hours, tasks, stars and the ratings of the tasks they did; most stars first, then most
    points."""
    people = list(db.query(
        "SELECT u.id, u.role, u.display_name, u.community_id, c.name AS chosen_name, m.team_id, "
        "coalesce(p.skills, '') AS skills, coalesce(p.free_times, '') AS free_times FROM users u "
        "LEFT JOIN chosen_names c ON c.user_id = u.id LEFT JOIN team_members m ON m.user_id = u.id "
        "LEFT JOIN volunteer_profiles p ON p.user_id = u.id "
        "WHERE (u.role = ? OR m.team_id IS NOT NULL) AND u.channel != ?", [volunteers.ROLE, DEMO_CHANNEL]))
    earned = points.earned(db)
    service = _service(db)
    ratings = _ratings(db)
    levels = config.settings.volunteers.stars
    out = []
    for p in people:
        for field in ("display_name", "chosen_name", "skills", "free_times"):   # a phone typed into the roster
            p[field] = wording.mask_phones(p[field] or "")
        team = config.deployment.team(p["team_id"])
        tasks, hours = service.get(p["id"], (0, 0.0))
        p.update(community_id=p["community_id"] or (team.community if team else None),
                 team=team.name if team else "", points=earned.get(p["id"], 0), hours=hours, tasks=tasks,
                 ratings=ratings.get(p["id"], {}))
        p["stars"] = grade(p["points"], hours, levels).stars
        if _matches(p, where):
            out.append(p)
    return sorted(out, key=lambda p: (-p["stars"], -p["points"], p["id"]))


def _matches(p: dict[str, Any], where: Filter) -> bool:
    return ((not where.community or p["community_id"] == where.community)
            and where.skill.strip() in p["skills"] and where.free_time.strip() in p["free_times"]
            and p["stars"] >= where.min_stars)


def _service(db: Database) -> dict[str, tuple[int, float]]:
    return {r["claimed_by"]: (int(r["tasks"]), float(r["hours"])) for r in db.query(
        "SELECT claimed_by, count(*) AS tasks, coalesce(sum(hours), 0) AS hours FROM volunteer_tasks "
        "WHERE confirmed_at IS NOT NULL GROUP BY claimed_by")}


def _ratings(db: Database) -> dict[str, dict[str, int]]:
    """How the reporters rated the tickets each volunteer served: {满意: 3, 基本满意: 1, …}."""
    out: dict[str, dict[str, int]] = {}
    for r in db.query("SELECT v.claimed_by, t.rating, count(*) AS n FROM volunteer_tasks v "
                      "JOIN tickets t ON t.id = v.ticket_id WHERE v.confirmed_at IS NOT NULL AND t.rating IS NOT NULL "
                      "GROUP BY v.claimed_by, t.rating"):
        out.setdefault(r["claimed_by"], {})[r["rating"]] = int(r["n"])
    return out


def export_rows(db: Database, config: Config, where: Filter = Filter()) -> list[list[Any]]:
    """The 民主评议 table under wording.ROSTER_HEADERS: one row per person (phone numbers masked, as in rows())."""
    out = []
    for p in rows(db, config, where):
        community = config.deployment.community(p["community_id"])
        cells = {**p, "community": community.name if community else "", "stars": wording.stars_text(p["stars"]),
                 "ratings": wording.ratings_text(p["ratings"]), "hours": round(p["hours"], 1)}
        out.append([cells.get(k, "") for k in wording.ROSTER_HEADERS])
    return out
