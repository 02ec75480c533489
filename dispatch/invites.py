"""Invite codes bind staff to a role: `sandan invite --role grid_secretary --grid longxi-1` prints a code,
and "绑定 CODE" in chat binds whoever sends it. A code works once and expires (dispatch.invite_valid_days).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlite_utils import Database

from dispatch import throttle
from dispatch.clock import iso
from dispatch.store import transaction
from dispatch.users import set_role
from settings import Community, Config, Department, Deployment, Grid, LimitSettings

log = logging.getLogger(__name__)

ROLES = ("grid_secretary", "dispatcher", "department", "leader", "volunteer")
#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class InviteError(Exception):
    """An invite that cannot be made or used; ``reason`` is one of: invalid, used, expired, bad_scope."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


#: The one option naming each role's scope (a leader's --community is optional).
SCOPE_OPTION = {"grid_secretary": "grid", "department": "department", "dispatcher": "community",
                "leader": "community", "volunteer": "community"}


def _ids(items: Iterable[Grid | Department | Community]) -> str:
    """The ids a user may type, each with its name: "ludeng (路灯所), shizheng (市政排水)"."""
    return ", ".join(f"{item.id} ({item.name})" for item in items)


def _check_scope(deployment: Deployment, role: str, scope: dict[str, str | None]) -> None:
    """The role's own option names a known grid, department or community, and no other option is given.

    :raises InviteError: with the one line that says what to pass instead.
    """
    if role not in ROLES:
        raise InviteError("bad_scope", f"unknown role '{role}'; use one of {', '.join(ROLES)}")
    own = SCOPE_OPTION[role]
    others = [f"--{option}" for option, value in scope.items() if value is not None and option != own]
    if others:
        raise InviteError("bad_scope", f"{role} takes --{own} only; drop {' and '.join(others)}")
    known = {"grid": [g for c in deployment.communities for g in c.grids],
             "department": deployment.departments, "community": deployment.communities}[own]
    value = scope[own]
    if value is None and role == "leader":
        return
    if all(item.id != value for item in known):
        got = f" (got {value!r})" if value is not None else ""
        raise InviteError("bad_scope", f"{role} needs --{own}, one of the deployment's {own} ids: {_ids(known)}{got}")


def create(db: Database, config: Config, role: str, now: datetime, grid_id: str | None = None,
           department_id: str | None = None, community_id: str | None = None, display_name: str = "") -> str:
    """Make a single-use code for a role and its scope; returns the code.

    :raises InviteError: the role's grid / department / community is missing or unknown, or another is given.
    """
    d = config.deployment
    _check_scope(d, role, {"grid": grid_id, "department": department_id, "community": community_id})
    if role == "grid_secretary":
        community_id = d.community_of_grid(grid_id).id
    expires = now + timedelta(days=config.settings.dispatch.invite_valid_days)
    with transaction(db):
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            inserted = db.execute(
                "INSERT INTO invites (code, role, grid_id, department_id, community_id, created_at, "
                "expires_at, display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [code, role, grid_id if role == "grid_secretary" else None,
                 department_id if role == "department" else None, community_id, iso(now), iso(expires),
                 display_name]).rowcount
            if inserted:
                return code


def bind(db: Database, user_id: str, code: str, now: datetime,
         limits: LimitSettings = LimitSettings()) -> dict[str, Any]:
    """Use a code: the sender gets its role and scope. Returns the invite row.

    Wrong codes are counted per sender (dispatch/throttle.py): after ``limits.free_failures`` the sender is
    locked out for a while, doubling, so codes cannot be guessed (351 a second were tried).

    :raises InviteError: invalid (no such code), used, expired, or throttled (too many wrong codes).
    """
    key = f"invite:{user_id}"
    if throttle.locked_for(db, key, now.timestamp()):
        log.warning("invite code refused for %s: too many wrong codes", user_id)
        raise InviteError("throttled")
    try:
        invite = _bind(db, user_id, code, now)
    except InviteError as e:
        if e.reason == "invalid":
            failures, lock = throttle.failed(db, key, now.timestamp(), limits)
            log.warning("wrong invite code from %s (%d in a row%s)", user_id, failures,
                        f"; locked for {lock:.0f} s" if lock else "")
        raise
    throttle.succeeded(db, key)
    log.info("invite code used by %s: %s", user_id, invite["role"])
    return invite


def _bind(db: Database, user_id: str, code: str, now: datetime) -> dict[str, Any]:
    code = code.strip().upper()
    with transaction(db):
        rows = list(db.query("SELECT * FROM invites WHERE code = ?", [code]))
        if not rows:
            raise InviteError("invalid")
        invite = rows[0]
        if invite["used_by"]:
            raise InviteError("used")
        if invite["expires_at"] and invite["expires_at"] <= iso(now):
            raise InviteError("expired")
        taken = db.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
                           [user_id, iso(now), code]).rowcount
        if not taken:
            raise InviteError("used")
        set_role(db, user_id, invite["role"], now, invite["grid_id"], invite["department_id"],
                 invite["community_id"], invite["display_name"] or "")
    return invite
