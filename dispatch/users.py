"""People the bot knows: residents and riders appear on first message; staff are bound by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch.clock import iso
from settings import Deployment


#: The /chat demo's personas (demo:rider-li, demo:sec-longxi-1…): a world of their own. Their staff act on, see
#: and are pushed only tickets reported from this channel; the real staff are never pushed the demo's.
DEMO_CHANNEL = "demo"


def is_demo(user_id: str | None) -> bool:
    return bool(user_id) and split_user_id(user_id)[0] == DEMO_CHANNEL


def split_user_id(user_id: str) -> tuple[str, str]:
    channel, _, external = user_id.partition(":")
    return channel, external


def ensure_user(db: Database, user_id: str, now: datetime, display_name: str = "") -> dict[str, Any]:
    channel, external = split_user_id(user_id)
    return list(db.query(
        "INSERT INTO users (id, channel, external_id, display_name, created_at, last_inbound_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at, "
        "display_name = CASE WHEN excluded.display_name != '' THEN excluded.display_name ELSE users.display_name END "
        "RETURNING *",
        [user_id, channel, external, display_name, iso(now), iso(now)],
    ))[0]


def ensure_known(db: Database, user_id: str, now: datetime) -> None:
    """A row for someone the deployment names (a team's 网格长) before they ever wrote, so pushes can queue."""
    channel, external = split_user_id(user_id)
    db.execute("INSERT INTO users (id, channel, external_id, created_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT(id) DO NOTHING", [user_id, channel, external, iso(now)])


#: Roles that are not staff: residents report, volunteers (bound by invite) claim the tasks opened to them.
NOT_STAFF = ("resident", "volunteer")


def is_staff(user: dict[str, Any]) -> bool:
    """Anyone bound to a role (grid, department, community, leader); residents, riders and volunteers are not."""
    return user.get("role", "resident") not in NOT_STAFF


def get_user(db: Database, user_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else {}


def set_role(db: Database, user_id: str, role: str, now: datetime, grid_id: str | None = None,
             department_id: str | None = None, community_id: str | None = None, display_name: str = "") -> None:
    channel, external = split_user_id(user_id)
    db.execute(
        "INSERT INTO users (id, channel, external_id, role, display_name, grid_id, department_id, community_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET role = excluded.role, "
        "grid_id = excluded.grid_id, department_id = excluded.department_id, "
        "community_id = excluded.community_id, "
        "display_name = CASE WHEN excluded.display_name != '' THEN excluded.display_name ELSE users.display_name END",
        [user_id, channel, external, role, display_name, grid_id, department_id, community_id, iso(now)],
    )


def seed_staff(db: Database, deployment: Deployment, now: datetime) -> int:
    """Bind the staff the deployment file lists (demo and tests); returns how many."""
    for s in deployment.staff:
        community = s.community or (c.id if (c := deployment.community_of_grid(s.grid)) else None)
        set_role(db, s.user, s.role, now, s.grid, s.department, community, s.name)
    return len(deployment.staff)


def staff_ids(db: Database, role: str, *, grid_id: str | None = None, department_id: str | None = None,
              community_id: str | None = None, demo: bool = False) -> list[str]:
    """Staff with a role, narrowed to a grid, department or community when given; the demo's personas
    (``demo``) or the real staff, never both."""
    sql = "SELECT id FROM users WHERE role = ? AND (channel = ?) = ?"
    params: list[Any] = [role, DEMO_CHANNEL, demo]   # a bool: 0/1 to SQLite, a boolean to PostgreSQL
    for column, value in (("grid_id", grid_id), ("department_id", department_id), ("community_id", community_id)):
        if value is not None:
            sql += f" AND {column} = ?"  # column names come from the tuple above, never from input
            params.append(value)
    return [r["id"] for r in db.query(sql + " ORDER BY id", params)]


def follow_contact_change(db: Database, channel: str, change: dict[str, str], now: datetime) -> bool:
    """A 企业微信 contact change (change_contact) applied to a bound staff member; returns whether one was.

    A renamed member (NewUserID) keeps their role under the new id; a deleted one is unbound; a new name is
    kept. Anyone not bound as staff is left alone: the roster is ours, the address book is the corp's.
    """
    user = get_user(db, f"{channel}:{change.get('UserID', '')}")
    if not user or not is_staff(user):
        return False
    kind = change.get("ChangeType", "")
    if kind == "delete_user":
        set_role(db, user["id"], "resident", now)
    elif kind == "update_user":
        name = change.get("Name", "")
        if change.get("NewUserID") and change["NewUserID"] != user["external_id"]:
            set_role(db, f"{channel}:{change['NewUserID']}", user["role"], now, user["grid_id"],
                     user["department_id"], user["community_id"], name or user["display_name"])
            set_role(db, user["id"], "resident", now)
        elif name:
            db.execute("UPDATE users SET display_name = ? WHERE id = ?", [name, user["id"]])
    else:
        return False
    return True


def followed_before(db: Database, user_id: str, channel_msg_id: str) -> bool:
    """Whether this follow is a repeat: the person followed before (a retry of this same follow does not count)."""
    return db.execute("SELECT 1 FROM messages WHERE sender = ? AND kind = 'event' AND text = 'subscribe' "
                      "AND channel_msg_id != ? LIMIT 1", [user_id, channel_msg_id]).fetchone() is not None
