"""Duplicates: a new report of a problem already open (same place and building, same category, similar
words, within dispatch.duplicate_window_hours) joins that ticket instead of making a second one.

Similarity is the overlap coefficient of the two texts' Chinese character bigrams (shared bigrams over
the smaller set), after the place's own words, particles and numbers are taken out: one report is often a
short line ("路灯不亮了") and the other a long story about the same thing, which Jaccard or Dice would
score low. Same place, building and category are required first, so the words only have to agree on what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

import wording
from dispatch import dialect, outbox
from dispatch.clock import iso
from dispatch.store import transaction
from dispatch.routing import Route, places_named
from dispatch.states import OPEN_STATES
from dispatch.users import is_demo
from nlu.types import Parse
from settings import Config

if TYPE_CHECKING:
    from dispatch.tickets import Location

_OPEN = tuple(s.value for s in OPEN_STATES)
_FILLER = set("的了吗呢啊呀吧么")


def bigrams(text: str, drop: tuple[str, ...] = ()) -> set[str]:
    for word in sorted(drop, key=len, reverse=True):
        if word:
            text = text.replace(word, " ")
    runs = re.findall(r"[\u4e00-\u9fff]+", text)     # numbers (phones, rooms) say nothing about the problem
    grams: set[str] = set()
    for run in runs:
        run = "".join(ch for ch in run if ch not in _FILLER)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            grams.add(run)
    return grams


def similarity(a: str, b: str, drop: tuple[str, ...] = ()) -> float:
    x, y = bigrams(a, drop), bigrams(b, drop)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def _place_words(config: Config, place: str | None, building: str | None) -> tuple[str, ...]:
    words = [place or "", building or ""]
    for p in places_named(config.deployment, place) if place else ():
        words += p.aliases
    return tuple(w for w in words if w)


@dataclass
class Match:
    ticket: dict[str, Any]
    score: float


def find(db: Database, config: Config, parse: Parse, route: Route, now: datetime) -> Match | None:
    """The open ticket this report repeats, if any (the most similar one)."""
    e = parse.entities
    place = e.where
    if not place and not route.grid_id:
        return None
    since = iso(now - timedelta(hours=config.settings.dispatch.duplicate_window_hours))
    sql = (f"SELECT id, reporter, text FROM tickets WHERE state IN ({', '.join('?' * len(_OPEN))}) "
           "AND created_at >= ? AND category = ? AND intent = 'report'")
    params: list[Any] = [*_OPEN, since, route.category]
    if place:
        sql += " AND place = ?"
        params.append(place)
    else:   # a shared location without a named place: same grid, no place named either
        sql += " AND place IS NULL AND grid_id = ?"
        params.append(route.grid_id)
    if e.building:   # another building of the same estate is another problem; an unnamed one may be this
        sql += " AND (building = ? OR building IS NULL)"
        params.append(e.building)
    drop = _place_words(config, place, e.building)
    best: Match | None = None
    for t in db.query(sql + " ORDER BY id DESC LIMIT 50", params):
        score = similarity(parse.text, t["text"], drop)
        if score >= config.settings.dispatch.duplicate_similarity and (best is None or score > best.score):
            best = Match(t, score)
    return best


def join(db: Database, config: Config, match: Match, user_id: str, parse: Parse, now: datetime,
         photos: list[dict[str, str]] | None = None, message_id: int | None = None) -> tuple[dict[str, Any], bool]:
    """The new reporter follows the ticket; the handler hears how many people have reported it.

    Returns the ticket and whether this person is new to it (False: they had reported it themselves).
    """
    from dispatch.tickets import add_event, add_photos, get_ticket, handler_ids

    t = match.ticket
    added = 0
    if user_id != t["reporter"]:
        added = db.execute("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           [t["id"], user_id]).rowcount
    if added:
        db.execute("UPDATE tickets SET reporters = reporters + 1, updated_at = ? WHERE id = ?", [iso(now), t["id"]])
    add_event(db, t["id"], user_id, "duplicate", now, f"同一问题又有人反映（相似度 {match.score:.2f}）：{parse.text}")
    add_photos(db, t["id"], photos, "report", now, message_id)
    ticket = get_ticket(db, t["id"])
    if added:
        people = [ticket["claimed_by"]] if ticket["claimed_by"] else handler_ids(db, ticket)
        for person in people:
            outbox.enqueue(db, person, wording.more_reporters(ticket, parse.text), now, ticket["id"],
                           f"dup:{ticket['id']}:{ticket['reporters']}:{person}")
    return ticket, bool(added)      # ON CONFLICT DO NOTHING added nobody: they had reported or joined it already


def file_or_join(db: Database, config: Config, reporter: str, parse: Parse, route: Route, now: datetime,
                 photos: list[dict[str, str]] | None = None, message_id: int | None = None,
                 location: Location | None = None,
                 written: datetime | None = None) -> tuple[dict[str, Any], str]:
    """A report joins the open ticket it repeats, else it files a new one (a ticket for review never joins).

    Returns the ticket and what happened: "new", "joined" (another reporter), or "again" (the same person
    sent their own report again). ``written`` is when the report was made, if earlier than ``now`` (a chat
    log's line repeats what was open then).
    """
    from dispatch.tickets import create_ticket

    with transaction(db, savepoint=False):      # no caller catches its errors: they end the caller's write
        # Reports of one place and category decide in turn, so twenty at once make one ticket, not several.
        dialect.lock(db, f"duplicates:{route.category}:{parse.entities.where or route.grid_id}")
        match = None if route.needs_review else find(db, config, parse, route, written or now)
        if match and is_demo(match.ticket["reporter"]) != is_demo(reporter):
            match = None            # the /chat demo's tickets and real ones never join: each world its own people
        if match:
            ticket, new_reporter = join(db, config, match, reporter, parse, now, photos, message_id)
            return ticket, "joined" if new_reporter else "again"
        created = create_ticket(db, config, reporter, parse, route, now, photos, message_id, location, written)
        return created.ticket, "new"
