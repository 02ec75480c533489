"""Copy every row of one store into another (SQLite → PostgreSQL, or back), then prove it by counts and checksums.

The target is migrated first and must be empty. Each table streams across in batches of ``BATCH`` rows (a
server-side cursor on PostgreSQL, one ``executemany`` per batch), so a table larger than memory copies too.
Tables go parents first (by their foreign keys); a column
that points into its own table (a ticket merged into another) is filled in after all its rows are in.
Identity counters on PostgreSQL are moved past the copied ids, so new tickets keep counting from there.

Photos, videos and recordings go with the rows (``copy_media``): every file a media row or a message names is
read from the source (its media_files table, else the media folder) and kept where the target keeps media,
under the same name (dispatch/media.py ``name_of``), so the rows need no change; the files are proved by their
count and checksums too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlite_utils import Database

from dispatch import dialect, media
from dispatch.store import transaction

BATCH = 1000


class CopyError(Exception):
    """The copy cannot start or did not arrive whole; the message says which table and what to do."""


@dataclass
class TableCopy:
    table: str
    rows: int
    checksum: str
    same: bool


def tables(db: Database) -> list[str]:
    """The app's tables (not the migration record), parents before the tables that reference them."""
    if dialect.is_postgres(db):
        names = [r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'")]
    else:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    names = sorted(n for n in names if not n.startswith(("_", "sqlite_")))
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in ordered or name in path:
            return
        for parent, _column in references(db, name):
            if parent != name and parent in names:
                visit(parent, path + (name,))
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def references(db: Database, table: str) -> list[tuple[str, str]]:
    """(parent table, column) for each foreign key of ``table``."""
    if dialect.is_postgres(db):
        return [(r[0], r[1]) for r in db.execute(
            "SELECT ccu.table_name, kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
            "AND ccu.table_schema = tc.table_schema "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = ? AND tc.table_schema = current_schema()",
            [table])]
    return [(r[2], r[3]) for r in db.execute("SELECT * FROM pragma_foreign_key_list(?)", [table])]


def columns(db: Database, table: str) -> list[str]:
    if dialect.is_postgres(db):
        return [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position", [table])]
    return [r[1] for r in db.execute("SELECT * FROM pragma_table_info(?)", [table])]


def key_columns(db: Database, table: str) -> list[str]:
    """The primary key's columns, to read rows in the same order from both stores."""
    if dialect.is_postgres(db):
        return [r[0] for r in db.execute(
            "SELECT kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema WHERE tc.constraint_type = 'PRIMARY KEY' "
            "AND tc.table_name = ? AND tc.table_schema = current_schema() ORDER BY kcu.ordinal_position", [table])]
    return [r[1] for r in sorted((r for r in db.execute("SELECT * FROM pragma_table_info(?)", [table]) if r[5]),
                                 key=lambda r: r[5])]


def _rows(db: Database, table: str, cols: list[str], order: list[str]) -> Iterator[tuple[Any, ...]]:
    """The table's rows in key order, read ``BATCH`` at a time, never the whole table at once: on PostgreSQL
    through a server-side cursor (inside a transaction: one snapshot), on SQLite by iterating the cursor."""
    # Names come from the store's own catalogue, never from input.
    sql = f"SELECT {', '.join(cols)} FROM {table} ORDER BY {', '.join(order or cols)}"
    if not dialect.is_postgres(db):
        yield from db.execute(sql)
        return
    with db.atomic(), db.conn.raw.cursor(name=f"sandan_copy_{table}") as cursor:
        cursor.itersize = BATCH
        cursor.execute(sql)
        yield from cursor


def checksum(db: Database, table: str, cols: list[str], order: list[str]) -> tuple[int, str]:
    """(rows, sha256) over the table's rows in key order, values written the same way whatever the store."""
    digest, count = hashlib.sha256(), 0
    for row in _rows(db, table, cols, order):
        digest.update(repr(tuple(_same(v) for v in row)).encode())
        count += 1
    return count, digest.hexdigest()[:16]


def _same(value: Any) -> Any:
    """A value as both stores give it back: a float that is a whole number compares equal to its int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def copy_store(source: Database, target: Database) -> list[TableCopy]:
    """Copy every table of ``source`` into the empty, migrated ``target``; returns each table's proof.

    :raises CopyError: the target already holds rows, or a table arrived different.
    """
    names = tables(source)
    missing = [n for n in names if n not in set(tables(target))]
    if missing:
        raise CopyError(f"the target has no table {', '.join(missing)}; run `sandan db migrate` on it first")
    full = [n for n in names if target.execute(f"SELECT count(*) FROM {n}").fetchone()[0]]
    if full:
        raise CopyError(f"the target already holds rows in {', '.join(full)}; copy into an empty database")
    for name in names:
        _copy_table(source, target, name)
    report = []
    for name in names:
        cols = [c for c in columns(source, name) if c in set(columns(target, name))]
        order = key_columns(source, name)
        count, digest = checksum(source, name, cols, order)
        count_after, digest_after = checksum(target, name, cols, order)
        report.append(TableCopy(name, count, digest, (count, digest) == (count_after, digest_after)))
    return report


def _copy_table(source: Database, target: Database, name: str) -> None:
    cols = [c for c in columns(source, name) if c in set(columns(target, name))]
    own = [c for parent, c in references(source, name) if parent == name and c in cols]
    order = key_columns(source, name)
    insert = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    later: list[tuple[Any, ...]] = []
    with transaction(target):
        batch: list[tuple[Any, ...]] = []
        for row in _rows(source, name, cols, order):
            if own and any(v is not None for c, v in zip(cols, row) if c in own):
                later.append(row)    # only the rows that point into their own table wait in memory
                row = tuple(None if c in own else v for c, v in zip(cols, row))
            batch.append(row)
            if len(batch) >= BATCH:
                target.conn.executemany(insert, batch)
                batch = []
        if batch:
            target.conn.executemany(insert, batch)
        for row in later:   # self-references, now that every row they may point to is in
            values = dict(zip(cols, row))
            target.execute(f"UPDATE {name} SET {', '.join(f'{c} = ?' for c in own)} WHERE "
                           f"{' AND '.join(f'{k} = ?' for k in order)}",
                           [values[c] for c in own] + [values[k] for k in order])
        if dialect.is_postgres(target) and name in target.conn.keyed_by_id():
            target.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                           f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)")


@dataclass
class MediaCopy:
    """The files the rows name: how many arrived, their checksum, and those the source itself lacks."""

    files: int
    checksum: str
    same: bool
    missing: list[str] = field(default_factory=list)


def stored_names(db: Database) -> list[str]:
    """Every file the rows name: media rows' paths and thumbnails, and the photos of messages."""
    names = {r[0] for r in db.execute("SELECT path FROM media WHERE path IS NOT NULL AND path != '' UNION "
                                      "SELECT thumb_path FROM media WHERE thumb_path IS NOT NULL AND thumb_path != ''")}
    for (raw,) in db.execute("SELECT photos FROM messages WHERE photos != '[]'"):
        try:
            photos = json.loads(raw or "[]")
        except ValueError:
            continue
        names.update(p["path"] for p in photos if isinstance(p, dict) and isinstance(p.get("path"), str) and p["path"])
    return sorted(names)


def copy_media(source: Database, source_files: media.Files, target: Database, target_files: media.Files
               ) -> MediaCopy:
    """Keep every file the source's rows name in ``target_files`` under the same name; then read each back.

    A file the source lacks (deleted by hand, or on another machine's disk) is listed in ``missing``.
    """
    before, after, missing, count = hashlib.sha256(), hashlib.sha256(), [], 0
    for name in stored_names(source):
        data = source_files.read(name, source)
        if data is None:
            missing.append(name)
            continue
        if target_files.read(name, target) is None:     # not already carried by the media_files table
            try:
                target_files.save(name, data, target)
            except ValueError as e:
                raise CopyError(f"{e}: a file name that leads outside the target's media folder; nothing of it "
                                "was written there")
        arrived = target_files.read(name, target)
        before.update(f"{name}\0{media.sha256(data)}\n".encode())
        after.update(f"{name}\0{media.sha256(arrived) if arrived is not None else '-'}\n".encode())
        count += 1
    return MediaCopy(count, before.hexdigest()[:16], before.digest() == after.digest(), missing)
