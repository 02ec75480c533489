"""Rider teams (流动网格, e.g. 龙西小哥队): who belongs to which, and how the teams rank.

The teams and their 网格长 are in the deployment file; membership is kept here, one team per person at a time.
A rider joins by saying so (「加入 龙西小哥队」): no code to hand round in a group of four hundred riders; the
网格长 is told of each newcomer, so a stranger in the team does not go unnoticed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, points
from dispatch.clock import iso
from dispatch.store import transaction
from dispatch.users import ensure_known
from settings import Deployment, Team



def team_of(db: Database, user_id: str) -> str | None:
    row = db.execute("SELECT team_id FROM team_members WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def join(db: Database, user_id: str, name: str, team: Team, now: datetime) -> bool:
    """Put the person in the team (leaving any other); returns False when they were in it already.
    The 网格长 hears of the newcomer, named by ``name``."""
    if team_of(db, user_id) == team.id:
        return False
    with transaction(db):
        db.execute("INSERT INTO team_members (user_id, team_id, joined_at) VALUES (?, ?, ?) ON CONFLICT(user_id) "
                   "DO UPDATE SET team_id = excluded.team_id, joined_at = excluded.joined_at",
                   [user_id, team.id, iso(now)])
        if team.leader and team.leader != user_id:
            ensure_known(db, team.leader, now)
            outbox.enqueue(db, team.leader, wording.team_joined_push(team.name, name), now, None,
                           f"team-joined:{team.id}:{user_id}:{iso(now)}")
    return True


def leave(db: Database, user_id: str) -> str | None:
    """Leave one's team; returns the team id left, or None when in none."""
    team_id = team_of(db, user_id)
    if team_id:
        with transaction(db):
            db.execute("DELETE FROM team_members WHERE user_id = ?", [user_id])
    return team_id


def member_count(db: Database) -> dict[str, int]:
    return {r["team_id"]: r["n"] for r in db.query("SELECT team_id, count(*) AS n FROM team_members GROUP BY team_id")}


def standings(db: Database, deployment: Deployment, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every team with its members' net 志愿服务积分 between start and end (as the person leaderboard counts
    them, by today's membership), highest first; a team with nothing yet is listed last, in file order."""
    earned: dict[str, int] = {}
    for row in points.leaderboard(db, start, end, limit=1_000_000):
        if row["team_id"]:
            earned[row["team_id"]] = earned.get(row["team_id"], 0) + row["points"]
    counts = member_count(db)
    rows = [{"id": t.id, "name": t.name, "leader_name": t.leader_name, "community": t.community,
             "points": earned.get(t.id, 0), "members": counts.get(t.id, 0)} for t in deployment.teams]
    return sorted(rows, key=lambda r: -r["points"])


def members(db: Database, team_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """A team's members with their names and the points they earned between start and end, most first."""
    earned = {r["user_id"]: r["points"] for r in points.leaderboard(db, start, end, limit=1_000_000)}
    rows = list(db.query(
        "SELECT m.user_id, coalesce(c.name, u.display_name) AS display_name, m.joined_at FROM team_members m "
        "JOIN users u ON u.id = m.user_id LEFT JOIN chosen_names c ON c.user_id = m.user_id "
        "WHERE m.team_id = ? ORDER BY m.joined_at", [team_id]))
    for r in rows:
        r["points"] = earned.get(r["user_id"], 0)
    return sorted(rows, key=lambda r: -r["points"])
