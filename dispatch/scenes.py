"""帮办二维码: the place a QR code stands for, written as a scene string, and the codes made for it.

A poster on an estate's (or a building's) notice board carries a code whose scene names the place:
``place:广场花苑小区`` or ``place:广场花苑小区:3栋``. WeChat hands the scene back in the scan event (EventKey,
``qrscene_`` before it when the scan made the person follow); the web chat gets it as /chat?place=…&building=….
A scene is read back only when it names an estate the deployment lists, so a stale or forged code names nothing.
WeChat's codes are kept per scene (``qr_codes``): an account may make only so many permanent codes, and a
reprinted poster should carry the same code as the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch.clock import iso
from dispatch.users import get_user, staff_ids
from settings import Community, Deployment, Grid, Place

PREFIX = "place:"
#: WeChat's own prefix on the EventKey of a follow made through a parametric code.
FOLLOW_PREFIX = "qrscene_"
#: WeChat takes scene strings of 1 to 64 characters.
MAX_SCENE = 64


@dataclass(frozen=True)
class Spot:
    """An estate (and perhaps one of its buildings) a poster stands for."""

    community: Community
    grid: Grid
    place: Place
    building: str = ""

    @property
    def label(self) -> str:
        return f"{self.place.name}{self.building}"

    @property
    def scene(self) -> str:
        return scene_for(self.place.name, self.building)


def scene_for(place: str, building: str = "") -> str:
    scene = PREFIX + place + (f":{building}" if building else "")
    if len(scene) > MAX_SCENE:
        raise ValueError(f"scene '{scene}' is longer than WeChat's {MAX_SCENE} characters; shorten the place name")
    return scene


def estates(deployment: Deployment) -> list[tuple[Community, Grid, Place]]:
    """Every estate (小区) the deployment lists, with its community and grid; a split estate once per grid."""
    return [(c, g, p) for c in deployment.communities for g in c.grids for p in g.places if p.kind == "estate"]


def building_number(building: str) -> int | None:
    digits = "".join(ch for ch in building if ch.isdigit())
    return int(digits) if digits else None


def spot(deployment: Deployment, place: str, building: str = "") -> Spot | None:
    """The listed estate of that name (by name or alias), and the grid that covers the building when the
    estate is split between grids; None for a place the deployment does not list."""
    number = building_number(building) if building else None
    building = f"{number}栋" if number is not None else ""
    found = [(c, g, p) for c, g, p in estates(deployment) if place == p.name or place in p.aliases]
    for c, g, p in found:
        if number is None or p.buildings is None or p.buildings[0] <= number <= p.buildings[1]:
            return Spot(c, g, p, building)
    return None


def read_scene(deployment: Deployment, key: str) -> Spot | None:
    """The place a scan's EventKey (or the web chat's place) names, or None."""
    key = (key or "").removeprefix(FOLLOW_PREFIX)
    if not key.startswith(PREFIX):
        return None
    place, _, building = key.removeprefix(PREFIX).partition(":")
    return spot(deployment, place, building)


def grid_contacts(db: Database, deployment: Deployment, grid_id: str) -> list[tuple[str, str]]:
    """The grid's secretaries as a poster names them: (name, work number); the number only when the
    deployment gives one (a work number the person agreed to print)."""
    phones = {s.user: s.phone for s in deployment.staff}
    bound = staff_ids(db, "grid_secretary", grid_id=grid_id)
    people = [(get_user(db, i).get("display_name") or wording.ROLE_NAMES["grid_secretary"], phones.get(i, ""))
              for i in bound]
    # the deployment's own list, for a store where they are not bound yet (before `sandan db init`)
    people += [(s.name, s.phone) for s in deployment.staff
               if s.role == "grid_secretary" and s.grid == grid_id and s.user not in bound]
    return people


def saved_code(db: Database, scene: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM qr_codes WHERE scene = ?", [scene]))
    return rows[0] if rows else None


def save_code(db: Database, scene: str, url: str, ticket: str, now: datetime) -> None:
    db.execute("INSERT INTO qr_codes (scene, url, ticket, created_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT(scene) DO NOTHING", [scene, url, ticket, iso(now)])
