"""The few SQL words SQLite and PostgreSQL spell differently, as fragments for dispatch/'s queries.

Everything else is written once, in what both speak: ON CONFLICT … DO NOTHING/UPDATE, RETURNING, CASE,
coalesce, substr, an alias on every subquery. Times are the store's UTC ISO text ('2026-11-23T09:30:00Z').
"""

from __future__ import annotations

from typing import Any

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


def name(db: Any) -> str:
    """``postgresql`` or ``sqlite``: which engine ``db`` talks to."""
    return getattr(db, "dialect", SQLITE)


def is_postgres(db: Any) -> bool:
    return name(db) == POSTGRESQL


def is_url(location: str) -> bool:
    """True when a store location names a PostgreSQL server rather than a SQLite file."""
    return location.startswith(("postgresql://", "postgres://"))


def local_day(db: Any, column: str) -> str:
    """The calendar day of a UTC text ``column`` shifted by a ``?`` parameter such as '+480 minutes'."""
    if is_postgres(db):
        return f"to_char(({column})::timestamptz AT TIME ZONE 'UTC' + (?)::interval, 'YYYY-MM-DD')"
    return f"date({column}, ?)"


def year_week(db: Any, column: str) -> str:
    """'YYYY-WW' with weeks starting on Monday, week 00 before the first Monday (SQLite's %Y-%W)."""
    if is_postgres(db):
        d = f"(({column})::timestamptz AT TIME ZONE 'UTC')"
        return (f"to_char({d}, 'YYYY') || '-' || lpad(((extract(doy FROM {d})::int + 6 "
                f"- (extract(isodow FROM {d})::int - 1)) / 7)::text, 2, '0')")
    return f"strftime('%Y-%W', {column})"


def now_iso(db: Any) -> str:
    """The database server's clock as the store's UTC text."""
    if is_postgres(db):
        return "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


def skip_locked(db: Any, table: str | None = None) -> str:
    """Ends a subquery that picks rows to claim: on PostgreSQL another worker's rows are passed over, not
    waited for (FOR UPDATE SKIP LOCKED; only ``table``'s rows when the subquery joins others); SQLite has one
    writer, so there is nothing to skip."""
    if not is_postgres(db):
        return ""
    return f" FOR UPDATE OF {table} SKIP LOCKED" if table else " FOR UPDATE SKIP LOCKED"


def lock(db: Any, key: str) -> None:
    """Serialise writers that decide on ``key`` (a user's balance, a place's open tickets) until commit.

    Call it first inside ``transaction()``. On SQLite the transaction already holds the one write lock
    (BEGIN IMMEDIATE), so there is nothing more to take; on PostgreSQL, where writers run side by side,
    this is a transaction-scoped advisory lock on the key's hash.
    """
    if is_postgres(db):
        db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [key])
