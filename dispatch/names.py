"""The name a rider or volunteer chooses (「我叫 小李」): what leaderboards, the roster and the export show.

A name is checked before it is kept: its length (``names.max_chars``), no control or invisible characters, no
markup characters (< > & quotes brackets), no phone number, none of the words that would pass it off as staff (``names.reserved_words``), and nobody else's
(chosen or a staff member's) in its folded spelling (full-width and case do not make a new name). Where it is
shown it is text: the dashboard escapes it like every other word a user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch import dialect
from dispatch.clock import iso
from dispatch.store import transaction
from dispatch.users import NOT_STAFF
from settings import NameSettings

_PHONE_LIKE = re.compile(r"\d{5,}")
#: Markup characters: a name is shown in HTML and sent inside WeChat's XML (a CDATA section wechatpy does not
#: escape, so 「]]>」 in a reply would break it); a name has no need of them.
MARKUP = set("<>&\"'`[]")


class NameRefused(Exception):
    """A name that cannot be kept; ``reason`` is one of length, characters, symbols, phone, reserved, taken."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def name_key(name: str) -> str:
    """The spelling two names are compared in: 「小李」, 「小李 」 and 「ＸＬ」/「xl」 are the same name."""
    return unicodedata.normalize("NFKC", name).casefold().replace(" ", "")


def check(name: str, settings: NameSettings) -> str:
    """The name as it will be kept (trimmed), or NameRefused saying why not."""
    name = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(name) <= settings.max_chars:
        raise NameRefused("length", str(settings.max_chars))
    if any(unicodedata.category(ch)[0] in "CZ" for ch in name):   # control, format, private use, any space
        raise NameRefused("characters")
    if MARKUP & set(unicodedata.normalize("NFKC", name)):
        raise NameRefused("symbols")
    if _PHONE_LIKE.search(unicodedata.normalize("NFKC", name)):
        raise NameRefused("phone")
    folded = name_key(name)
    word = next((w for w in settings.reserved_words if name_key(w) in folded), None)
    if word:
        raise NameRefused("reserved", word)
    return name


def chosen(db: Database, user_id: str) -> str | None:
    row = db.execute("SELECT name FROM chosen_names WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def choose(db: Database, user_id: str, name: str, settings: NameSettings, now: datetime) -> str:
    """Keep the person's name; returns it as kept.

    :raises NameRefused: the name is not acceptable, or someone else has it.
    """
    name = check(name, settings)
    key = name_key(name)
    with transaction(db):
        dialect.lock(db, "chosen_names")       # the check and the write are one step: two people never share a name
        other = db.execute("SELECT user_id FROM chosen_names WHERE name_key = ? AND user_id != ?",
                           [key, user_id]).fetchone()
        if other or _staff_named(db, key):
            raise NameRefused("taken", name)
        db.execute("INSERT INTO chosen_names (user_id, name, name_key, chosen_at) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, "
                   "chosen_at = excluded.chosen_at", [user_id, name, key, iso(now)])
    return name


def _staff_named(db: Database, key: str) -> bool:
    placeholders = ", ".join("?" for _ in NOT_STAFF)
    rows = db.query(f"SELECT display_name FROM users WHERE role NOT IN ({placeholders}) AND display_name != ''",
                    list(NOT_STAFF))   # the placeholders are a fixed count, never input
    return any(name_key(r["display_name"]) == key for r in rows)


def public_name(db: Database, user: dict[str, Any]) -> str:
    """The name a person is shown by: the one they chose, else the one their channel gave ("" for none)."""
    return chosen(db, user.get("id", "")) or user.get("display_name") or ""
