"""The knowledge base as staff grow it: items in the database, seeded once from data/knowledge.yaml, edited on
the dashboard, and searched by the same BM25 code (nlu.knowledge.KnowledgeBase) as the shipped file.

Until the table is seeded (the dashboard's knowledge page does it), chat answers from the file as before. After
each save the items are read again once per process (a version in kv says when), so every web worker answers
from the same items without a restart.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from dispatch.clock import iso
from dispatch.store import transaction
from nlu.knowledge import ANSWER_FIELDS, Item, KnowledgeBase

#: The item's answer fields: knowledge.yaml key → column (``where`` is an SQL word, so the column is ``place``).
COLUMNS = {key: ("place" if key == "where" else key) for key, _ in ANSWER_FIELDS}
VERSION_KEY = "knowledge_version"
FROM_FILE = "data/knowledge.yaml"   # updated_by of the seeded items


class DuplicateTitle(Exception):
    """Another item has this title."""


class MissingTitle(Exception):
    """An item needs a title and at least one way people ask."""


def _version(db: Database) -> str | None:
    row = db.execute("SELECT value FROM kv WHERE key = ?", [VERSION_KEY]).fetchone()
    return row[0] if row else None


def _bump(db: Database) -> None:
    db.execute("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [VERSION_KEY, secrets.token_hex(8)])


def seed(db: Database, path: Path, now: datetime) -> int:
    """Copy the file's items into an empty table; returns how many (0 when the table already has items)."""
    if db.execute("SELECT count(*) FROM knowledge_items").fetchone()[0]:
        return 0
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    with transaction(db):
        for entry in raw.get("items", []):
            _write(db, None, {"title": entry["title"], "questions": "\n".join(entry.get("questions", [])),
                              **{column: str(entry.get(key) or "") for key, column in COLUMNS.items()}},
                   FROM_FILE, now)
        _bump(db)
    return len(raw.get("items", []))


def all_items(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM knowledge_items ORDER BY id"))


def get(db: Database, item_id: int) -> dict[str, Any] | None:
    return next(iter(db.query("SELECT * FROM knowledge_items WHERE id = ?", [item_id])), None)


def as_item(row: dict[str, Any]) -> Item:
    """A row as nlu.knowledge reads an item: title, ways of asking, (label, value) answer fields."""
    questions = tuple(q.strip() for q in row.get("questions", "").splitlines() if q.strip())
    fields = tuple((label, row[COLUMNS[key]].strip()) for key, label in ANSWER_FIELDS
                   if str(row.get(COLUMNS[key]) or "").strip())
    return Item(row["title"].strip(), questions, fields)


def _write(db: Database, item_id: int | None, values: dict[str, str], actor: str, now: datetime) -> int:
    names = ["title", "questions", *COLUMNS.values()]
    row = {n: str(values.get(n) or "").strip() for n in names}
    if not row["title"] or not row["questions"]:
        raise MissingTitle(row["title"])
    clash = db.execute("SELECT id FROM knowledge_items WHERE title = ? AND id != ?", [row["title"], item_id or 0])
    if clash.fetchone():
        raise DuplicateTitle(row["title"])
    params = {**row, "updated_at": iso(now), "updated_by": actor, "id": item_id}
    if item_id is None:
        return db.execute(f"INSERT INTO knowledge_items ({', '.join(names)}, updated_at, updated_by) VALUES "
                          f"({', '.join(':' + n for n in names)}, :updated_at, :updated_by)", params).lastrowid
    db.execute(f"UPDATE knowledge_items SET {', '.join(f'{n} = :{n}' for n in names)}, updated_at = :updated_at, "
               "updated_by = :updated_by WHERE id = :id", params)   # column names are ours, values bound
    return item_id


def save(db: Database, item_id: int | None, values: dict[str, str], actor: str, now: datetime) -> int:
    """Create (``item_id`` None) or change an item; chat answers from it at once. Returns its id.

    :raises MissingTitle: no title or no way of asking.
    :raises DuplicateTitle: another item has the title.
    """
    with transaction(db):
        saved = _write(db, item_id, values, actor, now)
        _bump(db)
    return saved


#: (version, id of the base) → the items built: a cache, rebuilt whenever a save changes the version
_CACHE: dict[tuple[str, int], KnowledgeBase] = {}


def current(db: Database, base: KnowledgeBase) -> KnowledgeBase:
    """The knowledge base chat answers from: the database's items once seeded, else ``base`` (the shipped file)."""
    version = _version(db)
    if version is None:
        return base
    key = (version, id(base))
    if key not in _CACHE:
        kb = KnowledgeBase([as_item(r) for r in all_items(db)], base.tokenizer, base.synonyms)
        _CACHE.clear()
        _CACHE[key] = kb
    return _CACHE[key]


def unanswered(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    """Questions the knowledge base could not answer (sent to a person), most asked first: text, count, the
    newest ticket and when it was last asked."""
    return list(db.query(
        "SELECT t.text, count(*) AS asked, max(t.id) AS ticket_id, max(t.created_at) AS last_at FROM tickets t "
        "WHERE t.intent = 'question' AND t.handling = 'reply' AND EXISTS (SELECT 1 FROM ticket_events e "
        "WHERE e.ticket_id = t.id AND e.kind = 'review' AND e.note = :why) "
        "GROUP BY t.text ORDER BY asked DESC, last_at DESC LIMIT :limit", {"why": NO_ANSWER_REASON, "limit": limit}))


#: The review reason bot/conversation/reports.py gives a question the knowledge base could not answer.
NO_ANSWER_REASON = "知识库无答案，转人工答复"
