"""微心愿: a resident's small wish (「心愿：想请人帮忙换个灯泡」) on the community's open list, not a grid ticket.

A wish belongs to the community of its place. The community's volunteers are told of it and see the open list
(「心愿」); the first 「认领心愿 N」 wins (one guarded UPDATE: of many at once exactly one row changes); the volunteer
reports it done; the resident confirms and rates it (「确认心愿 N 满意」), which credits the volunteer's 心愿积分
(``wishes.points`` in config.yaml), or says it is not done yet, which gives it back to the volunteer. The resident
may withdraw an open or claimed wish; the community's staff may withdraw any that is not finished.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, points, volunteers
from dispatch.clock import iso
from dispatch.store import row_id, transaction
from dispatch.users import get_user, is_demo, is_staff
from settings import Config


class WishState(str, Enum):
    OPEN = "open"                # on the list, waiting for a volunteer
    CLAIMED = "claimed"          # a volunteer has it
    DONE = "done"                # the volunteer says it is done; the resident is asked to confirm
    CONFIRMED = "confirmed"      # the resident confirmed and rated it: finished
    WITHDRAWN = "withdrawn"      # taken off the list by the resident or the community: finished


FINISHED = (WishState.CONFIRMED.value, WishState.WITHDRAWN.value)


class WishNotFound(Exception):
    """No such wish, or not one this person may see."""


class WishTaken(Exception):
    """Another volunteer claimed the wish first (or it is no longer open)."""

    def __init__(self, wish_id: int, holder: str) -> None:
        super().__init__(f"wish {wish_id} taken by {holder}")
        self.wish_id, self.holder = wish_id, holder


class NotYourWish(Exception):
    """The wish is someone else's to act on (another volunteer's, another resident's)."""


class WrongWishState(Exception):
    """The step does not fit where the wish is (confirm before done, withdraw after it is finished…)."""

    def __init__(self, wish_id: int, state: str) -> None:
        super().__init__(f"wish {wish_id} is {state}")
        self.wish_id, self.state = wish_id, state


# ---------------------------------------------------------------- reading


def get(db: Database, wish_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM wishes WHERE id = ?", [row_id(wish_id)]))
    if not rows:
        raise WishNotFound(wish_id)
    return rows[0]


def open_list(db: Database, community_id: str | None, demo: bool, limit: int) -> list[dict[str, Any]]:
    """The community's wishes waiting for a volunteer, oldest first (the demo's and real ones kept apart)."""
    rows = db.query("SELECT * FROM wishes WHERE community_id = ? AND state = ? ORDER BY id",
                    [community_id or "", WishState.OPEN.value])
    return [r for r in rows if is_demo(r["wisher"]) == demo][:limit]


def of_wisher(db: Database, user_id: str, limit: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM wishes WHERE wisher = ? ORDER BY id DESC LIMIT ?", [user_id, limit]))


def listing(db: Database, community_id: str | None = None, state: str | None = None,
            limit: int = 200) -> list[dict[str, Any]]:
    """Wishes for the dashboard, newest first, narrowed to a community or a state when given."""
    sql, params = "SELECT * FROM wishes WHERE 1 = 1", []
    if community_id:
        sql += " AND community_id = ?"
        params.append(community_id)
    if state:
        sql += " AND state = ?"
        params.append(state)
    return list(db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]))


def may_see(user: dict[str, Any], wish: dict[str, Any]) -> bool:
    """The wisher, the volunteer who has it, the community's volunteers and staff."""
    if user["id"] in (wish["wisher"], wish["claimed_by"]):
        return True
    if is_demo(user["id"]) != is_demo(wish["wisher"]):
        return False
    return may_manage(user, wish) or (user.get("role") == volunteers.ROLE
                                      and user.get("community_id") == wish["community_id"])


def may_manage(user: dict[str, Any], wish: dict[str, Any]) -> bool:
    """Staff of the wish's community (its dispatcher, its grids' secretaries), leaders and admins."""
    if not is_staff(user) or is_demo(user["id"]) != is_demo(wish["wisher"]):
        return False
    return user.get("role") in ("leader", "admin") or user.get("community_id") == wish["community_id"]


def wish_points(db: Database, user_id: str) -> tuple[int, int]:
    """A volunteer's 心愿积分 from wishes and how many of their wishes were confirmed."""
    row = db.execute("SELECT count(*), coalesce(sum(points), 0) FROM wishes WHERE claimed_by = ? AND state = ?",
                     [user_id, WishState.CONFIRMED.value]).fetchone()
    return int(row[1]), int(row[0])


# ---------------------------------------------------------------- the steps


def post(db: Database, user: dict[str, Any], community_id: str, place: str, text: str, now: datetime) -> tuple[
        dict[str, Any], int]:
    """Put a wish on the community's list and tell its volunteers; returns the wish and how many were told."""
    with transaction(db):
        wish_id = db.execute("INSERT INTO wishes (wisher, community_id, place, text, created_at) VALUES (?, ?, ?, ?, ?)",
                             [user["id"], community_id, place, text.strip(), iso(now)]).lastrowid
        wish = get(db, wish_id)
        people = [v["id"] for v in volunteers.roster(db, community_id, is_demo(user["id"]))]
        for person in people:
            outbox.enqueue(db, person, wording.wish_call(wish), now, None, f"wish-call:{wish_id}:{person}")
    return wish, len(people)


def claim(db: Database, wish_id: int, user: dict[str, Any], now: datetime) -> dict[str, Any]:
    """「认领心愿 N」 by a volunteer of the wish's community: of several at once exactly one wins.

    :raises WishNotFound: no such wish in this volunteer's community.
    :raises WishTaken: it is no longer open (claimed by someone else, done or withdrawn).
    """
    with transaction(db):
        won = db.execute("UPDATE wishes SET state = ?, claimed_by = ?, claimed_at = ? WHERE id = ? AND state = ? "
                         "AND community_id = ?",
                         [WishState.CLAIMED.value, user["id"], iso(now), row_id(wish_id), WishState.OPEN.value,
                          user.get("community_id") or ""]).rowcount
        wish = get(db, wish_id)
        if wish["community_id"] != user.get("community_id") or is_demo(user["id"]) != is_demo(wish["wisher"]):
            raise WishNotFound(wish_id)
        if not won:
            if wish["claimed_by"] == user["id"]:
                return wish
            holder = get_user(db, wish["claimed_by"]) if wish["claimed_by"] else {}
            raise WishTaken(wish_id, volunteers.name_of(holder) if holder else "")
        outbox.enqueue(db, wish["wisher"], wording.wish_claimed_push(wish_id, volunteers.name_of(user)), now, None,
                       f"wish-claimed:{wish_id}")
    return wish


def report_done(db: Database, wish_id: int, user: dict[str, Any], note: str, photos: int,
                now: datetime) -> dict[str, Any]:
    """The volunteer says the wish is done; the resident is asked to confirm and rate.

    :raises NotYourWish: the wish is not this volunteer's.
    :raises WrongWishState: it is not in their hands now (already done, confirmed or withdrawn).
    """
    wish = get(db, wish_id)
    if wish["claimed_by"] != user["id"]:
        raise NotYourWish(wish_id)
    with transaction(db):
        changed = db.execute("UPDATE wishes SET state = ?, report = ?, photos = ?, done_at = ? WHERE id = ? "
                             "AND state = ? AND claimed_by = ?",
                             [WishState.DONE.value, note.strip(), photos, iso(now), wish_id, WishState.CLAIMED.value,
                              user["id"]]).rowcount
        if not changed:
            raise WrongWishState(wish_id, wish["state"])
        outbox.enqueue(db, wish["wisher"], wording.wish_done_push(wish_id, volunteers.name_of(user), note.strip(),
                                                                  bool(photos)),
                       now, None, f"wish-done:{wish_id}:{iso(now)}")
    return get(db, wish_id)


def confirm(db: Database, config: Config, wish_id: int, user: dict[str, Any], rating: str, note: str,
            now: datetime) -> dict[str, Any]:
    """The resident confirms the wish came true and rates it: the volunteer earns the rating's 心愿积分.

    :raises NotYourWish: the wish is not this person's.
    :raises WrongWishState: the volunteer has not said it is done (or it was confirmed already).
    """
    wish = get(db, wish_id)
    if wish["wisher"] != user["id"]:
        raise NotYourWish(wish_id)
    earned = config.settings.wishes.points.get(rating, 0)
    with transaction(db):
        changed = db.execute("UPDATE wishes SET state = ?, rating = ?, rating_note = ?, points = ?, confirmed_at = ? "
                             "WHERE id = ? AND state = ?",
                             [WishState.CONFIRMED.value, rating, note.strip(), earned, iso(now), wish_id,
                              WishState.DONE.value]).rowcount
        if not changed:
            raise WrongWishState(wish_id, wish["state"])
        if earned:
            points.add_entry(db, wish["claimed_by"], earned, wording.wish_points_reason(wish_id), now,
                             f"wish:{wish_id}", None, points.WISH)
        outbox.enqueue(db, wish["claimed_by"], wording.wish_confirmed_push(wish_id, rating, note.strip(), earned),
                       now, None, f"wish-confirmed:{wish_id}")
    return get(db, wish_id)


def not_done(db: Database, wish_id: int, user: dict[str, Any], note: str, now: datetime) -> dict[str, Any]:
    """The resident says the wish is not done yet: it goes back to the volunteer, who is told why.

    :raises NotYourWish, WrongWishState: as for ``confirm``.
    """
    wish = get(db, wish_id)
    if wish["wisher"] != user["id"]:
        raise NotYourWish(wish_id)
    with transaction(db):
        changed = db.execute("UPDATE wishes SET state = ?, done_at = NULL WHERE id = ? AND state = ?",
                             [WishState.CLAIMED.value, wish_id, WishState.DONE.value]).rowcount
        if not changed:
            raise WrongWishState(wish_id, wish["state"])
        outbox.enqueue(db, wish["claimed_by"], wording.wish_not_done_push(wish_id, note.strip()), now, None,
                       f"wish-not-done:{wish_id}:{iso(now)}")
    return get(db, wish_id)


def withdraw(db: Database, wish_id: int, user: dict[str, Any], reason: str, now: datetime) -> dict[str, Any]:
    """Take a wish off the list: its resident (while open or claimed) or the community's staff (until it is
    finished). Whoever else is concerned (the volunteer who has it, the resident) is told.

    :raises WishNotFound: not a wish this person may see.
    :raises NotYourWish: someone who may see it but not withdraw it (a volunteer).
    :raises WrongWishState: it is finished, or (for the resident) the volunteer already did it.
    """
    wish = get(db, wish_id)
    if not may_see(user, wish):
        raise WishNotFound(wish_id)
    by_wisher = user["id"] == wish["wisher"]
    if not (by_wisher or may_manage(user, wish)):
        raise NotYourWish(wish_id)
    allowed = (WishState.OPEN.value, WishState.CLAIMED.value) + (() if by_wisher else (WishState.DONE.value,))
    if wish["state"] not in allowed:
        raise WrongWishState(wish_id, wish["state"])
    with transaction(db):
        changed = db.execute("UPDATE wishes SET state = ?, withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ? "
                             "WHERE id = ? AND state = ?",
                             [WishState.WITHDRAWN.value, user["id"], iso(now), reason.strip(), wish_id,
                              wish["state"]]).rowcount
        if not changed:
            raise WrongWishState(wish_id, get(db, wish_id)["state"])
        told = [wish["claimed_by"]] if wish["claimed_by"] else []
        if not by_wisher:
            told.append(wish["wisher"])
        for person in told:
            outbox.enqueue(db, person, wording.wish_withdrawn_push(wish_id, by_wisher, reason.strip()), now, None,
                           f"wish-withdrawn:{wish_id}:{person}")
    return get(db, wish_id)
