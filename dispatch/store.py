"""The store: one SQLite file (WAL, foreign keys) by default, or PostgreSQL when ``store.url`` names one.

Every table the app uses is created here, so the schema reads in one place; the migrations are written in
SQLite's DDL through sqlite-utils (>= 4), and dispatch/pg.py runs the same ones on PostgreSQL.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations
from sqlite_utils.utils import dedupe_keys

from dispatch import dialect
from settings import Config

migrations = Migrations("sandan")


@migrations()
def m001_core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,              -- channel:external id, e.g. wechat:oAbc…
            channel TEXT NOT NULL,
            external_id TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'resident',
            display_name TEXT NOT NULL DEFAULT '',
            grid_id TEXT,
            department_id TEXT,
            community_id TEXT,
            last_inbound_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            channel_msg_id TEXT NOT NULL,
            sender TEXT NOT NULL REFERENCES users(id),
            chat TEXT,                         -- group id, NULL for a 1:1 chat
            kind TEXT NOT NULL DEFAULT 'text',
            text TEXT NOT NULL DEFAULT '',
            photos TEXT NOT NULL DEFAULT '[]',
            location TEXT,
            received_at TEXT NOT NULL,
            ticket_id INTEGER,
            reply TEXT,
            UNIQUE (channel, channel_msg_id)   -- the idempotency key: a retry never makes a second ticket
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            reporter TEXT NOT NULL REFERENCES users(id),
            text TEXT NOT NULL,
            intent TEXT NOT NULL,
            category TEXT NOT NULL,
            handling TEXT NOT NULL,
            urgency TEXT NOT NULL,
            community_id TEXT,
            place TEXT,
            building TEXT,
            grid_id TEXT,
            department_id TEXT,
            state TEXT NOT NULL,
            confidence REAL NOT NULL DEFAULT 0,
            claimed_by TEXT REFERENCES users(id),
            resolution TEXT,
            rating TEXT,
            deadline_at TEXT,
            reminders_sent INTEGER NOT NULL DEFAULT 0,
            escalation_level INTEGER NOT NULL DEFAULT 0,
            reporters INTEGER NOT NULL DEFAULT 1,
            merged_into INTEGER REFERENCES tickets(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            resolved_at TEXT,
            closed_at TEXT
        );
        CREATE INDEX tickets_reporter ON tickets(reporter, id);
        CREATE INDEX tickets_state_deadline ON tickets(state, deadline_at);
        CREATE INDEX tickets_grid ON tickets(grid_id, state);
        CREATE INDEX tickets_created ON tickets(created_at);
        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,               -- a user id, or 'system'
            kind TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
        CREATE TABLE ticket_followers (
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            PRIMARY KEY (ticket_id, user_id)
        );
        CREATE TABLE media (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER REFERENCES tickets(id),
            message_id INTEGER REFERENCES messages(id),
            purpose TEXT NOT NULL DEFAULT 'report',   -- report | result
            url TEXT NOT NULL DEFAULT '',
            media_id TEXT NOT NULL DEFAULT '',
            path TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX media_ticket ON media(ticket_id);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            recipient TEXT NOT NULL REFERENCES users(id),
            body TEXT NOT NULL,
            ticket_id INTEGER,
            dedup_key TEXT UNIQUE,            -- the same notice is never queued twice
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_pending ON outbox(sent_at, due_at);
        CREATE INDEX outbox_recipient ON outbox(recipient, id);
        CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            value TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE TABLE points_ledger (
            id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            points INTEGER NOT NULL,
            reason TEXT NOT NULL,
            ticket_id INTEGER,
            dedup_key TEXT UNIQUE,
            at TEXT NOT NULL
        );
        CREATE INDEX points_user ON points_ledger(user_id, at);
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            grid_id TEXT,
            department_id TEXT,
            community_id TEXT,
            created_at TEXT NOT NULL,
            used_by TEXT,
            used_at TEXT
        );
        CREATE TABLE kv (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            expires_at REAL
        );
        CREATE TABLE conversations (
            user_id TEXT PRIMARY KEY REFERENCES users(id),
            state TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m006_points_dashboard(db: Database) -> None:
    """Points accounts (志愿服务积分 / 心愿积分), dashboard logins, and indexes the KPI queries read."""
    db.executescript(
        """
        ALTER TABLE points_ledger ADD COLUMN account TEXT NOT NULL DEFAULT 'volunteer';  -- volunteer | wish
        CREATE INDEX points_account_at ON points_ledger(account, at, user_id, points);
        CREATE INDEX points_ticket ON points_ledger(ticket_id);
        CREATE TABLE dashboard_users (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,       -- werkzeug.security hash, never the password
            role TEXT NOT NULL DEFAULT 'admin',
            created_at TEXT NOT NULL
        );
        -- The dashboard's period KPIs and charts read only this index (no table lookups).
        CREATE INDEX tickets_kpi ON tickets(created_at, state, category, grid_id, deadline_at, resolved_at, rating);
        """
    )



@migrations()
def m010_dispatch_deadlines_invites_joint(db: Database) -> None:
    """Deadline marks (each reminder and escalation a row, so a restart sends each once), invite expiry,
    and the 联席会议 agenda."""
    db.executescript(
        """
        CREATE TABLE deadline_marks (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            deadline_at TEXT NOT NULL,          -- the deadline this mark belongs to; a new deadline makes new marks
            kind TEXT NOT NULL,                 -- remind | escalate | leader
            step INTEGER NOT NULL,              -- 1, 2 … within the kind
            due_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (ticket_id, deadline_at, kind, step)
        );
        CREATE INDEX deadline_marks_due ON deadline_marks(sent_at, due_at);
        ALTER TABLE tickets ADD COLUMN deadline_unit TEXT NOT NULL DEFAULT 'hours';
        ALTER TABLE tickets ADD COLUMN clock_started_at TEXT;
        ALTER TABLE invites ADD COLUMN expires_at TEXT;
        ALTER TABLE invites ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
        CREATE TABLE joint_meeting (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            community_id TEXT,
            marked_at TEXT NOT NULL,
            marked_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            settled_at TEXT,
            decision TEXT
        );
        """
    )


@migrations()
def m011_stats_kpi_daily(db: Database) -> None:
    """Daily and monthly KPI sums per grid and category (dispatch/rollup.py), and the index that finds
    changed tickets."""
    db.executescript(
        """
        CREATE TABLE kpi_daily (
            day TEXT NOT NULL,                 -- local calendar day, YYYY-MM-DD
            grid_id TEXT NOT NULL,             -- '' when the ticket has no grid
            category TEXT NOT NULL,
            received INTEGER NOT NULL,
            accepted INTEGER NOT NULL,
            done INTEGER NOT NULL,
            on_time INTEGER NOT NULL,
            rated INTEGER NOT NULL,
            satisfied INTEGER NOT NULL,
            PRIMARY KEY (day, grid_id, category)
        ) WITHOUT ROWID;                       -- stored in key order: a range of days is one sequential read
        CREATE TABLE kpi_monthly (
            month TEXT NOT NULL,               -- YYYY-MM, the sums of its days in kpi_daily
            grid_id TEXT NOT NULL,
            category TEXT NOT NULL,
            received INTEGER NOT NULL,
            accepted INTEGER NOT NULL,
            done INTEGER NOT NULL,
            on_time INTEGER NOT NULL,
            rated INTEGER NOT NULL,
            satisfied INTEGER NOT NULL,
            PRIMARY KEY (month, grid_id, category)
        ) WITHOUT ROWID;
        CREATE INDEX tickets_updated ON tickets(updated_at, created_at);
        """
    )


@migrations()
def m015_bench_lookup_indexes(db: Database) -> None:
    """Indexes bench/scale.py showed missing at a million tickets: 我的工单 scanned every follower row
    (15 ms → 0.2 ms), and each deadline notice scanned every user to find the staff (scan 11 s → 0.9 s)."""
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS ticket_followers_user ON ticket_followers(user_id, ticket_id);
        CREATE INDEX IF NOT EXISTS users_role ON users(role, grid_id);
        """
    )


@migrations()
def m016_duplicate_lookup_index(db: Database) -> None:
    """The duplicate check of every new report asks for open tickets of one place and category in the
    last hours; without this index it read every ticket of the window (0.6 ms at 2,000, growing)."""
    db.execute("CREATE INDEX IF NOT EXISTS tickets_place_category ON tickets(place, category, created_at)")


@migrations()
def m017_reporter_listing_index(db: Database) -> None:
    """我的工单 read each listed ticket's row from its own table page: a resident's first read from disk at a
    million tickets touched 16 pages (p99 over 5 ms under load); this index holds the list's columns in
    reporter order, so the list is one index page. It serves every lookup tickets_reporter did."""
    db.execute("CREATE INDEX IF NOT EXISTS tickets_reporter_listing ON tickets(reporter, id, state, text)")
    db.execute("DROP INDEX IF EXISTS tickets_reporter")


@migrations()
def m018_ticket_location(db: Database) -> None:
    """A shared location stays with its ticket, so the person sent there knows where to go (it only
    routed before): the point, and the label the sender's map gave it (「广场花苑小区东门」) or else the
    nearest known place (「广场花苑小区附近」)."""
    db.executescript(
        """
        ALTER TABLE tickets ADD COLUMN lat REAL;
        ALTER TABLE tickets ADD COLUMN lon REAL;
        ALTER TABLE tickets ADD COLUMN location_label TEXT;
        """
    )


@migrations()
def m019_message_outcome(db: Database) -> None:
    """What the bot made of a message beside its reply: filed, joined, asked, answered or ignored, and what it
    said to the sender privately (a group's personal answers go 1:1), so a replay answers as the first time."""
    db.executescript(
        """
        ALTER TABLE messages ADD COLUMN outcome TEXT;
        ALTER TABLE messages ADD COLUMN private TEXT;
        """
    )


@migrations()
def m020_outbox_gives_up(db: Database) -> None:
    """A push that keeps failing is given up after dispatch.outbox_max_attempts, visibly (it retried every ten
    minutes for ever)."""
    db.execute("ALTER TABLE outbox ADD COLUMN failed_at TEXT")


@migrations()
def m021_extensions_and_parts(db: Database) -> None:
    """延期申请 (a handler asks for more time; a dispatcher grants or refuses it) and 协办 parts (a co-handling
    unit's share of a ticket whose lead closes it)."""
    db.executescript(
        """
        CREATE TABLE extensions (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            asked_by TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            amount INTEGER NOT NULL,
            unit TEXT NOT NULL,
            reason TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            old_deadline TEXT,
            new_deadline TEXT,
            decided_by TEXT,
            decided_at TEXT,
            decision_note TEXT
        );
        CREATE INDEX extensions_ticket ON extensions(ticket_id, state);
        CREATE TABLE ticket_parts (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            department_id TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            done_at TEXT,
            done_by TEXT,
            done_note TEXT,
            UNIQUE (ticket_id, department_id)
        );
        CREATE INDEX ticket_parts_department ON ticket_parts(department_id, done_at);
        """
    )


@migrations()
def m022_knowledge_items(db: Database) -> None:
    """The knowledge base in the database, so staff grow it from the dashboard (seeded from data/knowledge.yaml)."""
    db.executescript(
        """
        CREATE TABLE knowledge_items (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL UNIQUE,
            questions TEXT NOT NULL DEFAULT '',
            materials TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            office TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            hours TEXT NOT NULL DEFAULT '',
            time_limit TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        """
    )


@migrations()
def m023_dialogue(db: Database) -> None:
    """What the bot waits for from a person in a chat (a place for a report being told, a rating for the ticket it
    showed, a yes/no), since and until when: one row per person, chat and kind of expectation. It replaces
    conversations, which held one state per person whatever the chat and forgot the ticket it was about."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS dialogue (
            user_id TEXT NOT NULL REFERENCES users(id),
            chat TEXT NOT NULL DEFAULT '',     -- group id; '' for the 1:1 chat
            expects TEXT NOT NULL,             -- report | rating | correction | confirm | photo
            ticket_id INTEGER,
            data TEXT NOT NULL DEFAULT '{}',
            since TEXT NOT NULL,
            until TEXT NOT NULL,
            PRIMARY KEY (user_id, chat, expects)
        );
        DROP TABLE IF EXISTS conversations;
        """
    )



@migrations()
def m024_media_kinds(db: Database) -> None:
    """Videos and voice recordings are evidence beside photos: each media row says its kind; a video keeps
    its thumbnail (WeChat's ThumbMediaId, then the file), a recording the browser-playable copy's note."""
    db.executescript(
        """
        ALTER TABLE media ADD COLUMN kind TEXT NOT NULL DEFAULT 'photo';
        ALTER TABLE media ADD COLUMN thumb_media_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE media ADD COLUMN thumb_path TEXT;
        ALTER TABLE media ADD COLUMN note TEXT NOT NULL DEFAULT '';
        """
    )


@migrations()
def m025_outbox_photos(db: Database) -> None:
    """A push may carry photos (the reporter's, to the handler; the result, to the reporter): media row ids."""
    db.execute("ALTER TABLE outbox ADD COLUMN photos TEXT NOT NULL DEFAULT '[]'")


@migrations()
def m026_volunteers_proxies_followups(db: Database) -> None:
    """Volunteers (a roster row per person, a task row per ticket opened to them by 征集), 帮办代办 (who filed a
    ticket for which resident, and the code that links the resident), and 回访 (the dispatcher's call: solved?
    satisfied?). IF NOT EXISTS: a store that ran this branch before the merge knew it as m023 or m024."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS volunteer_profiles (
            user_id TEXT PRIMARY KEY REFERENCES users(id),
            skills TEXT NOT NULL DEFAULT '',
            free_times TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS volunteer_tasks (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            community_id TEXT,
            opened_by TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            claimed_by TEXT,
            claimed_at TEXT,
            report TEXT,
            reported_at TEXT,
            confirmed_by TEXT,
            confirmed_at TEXT,
            hours REAL
        );
        CREATE INDEX IF NOT EXISTS volunteer_tasks_claimed ON volunteer_tasks(claimed_by, confirmed_at);
        CREATE TABLE IF NOT EXISTS proxy_filings (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
            filed_by TEXT NOT NULL,
            resident_name TEXT NOT NULL,
            resident_phone TEXT NOT NULL,
            code TEXT NOT NULL UNIQUE,
            filed_at TEXT NOT NULL,
            linked_user TEXT,
            linked_at TEXT
        );
        CREATE TABLE IF NOT EXISTS followups (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            called_by TEXT NOT NULL,
            solved INTEGER NOT NULL,
            satisfaction TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS followups_ticket ON followups(ticket_id);
        """
    )


@migrations()
def m027_response_limits_and_solved(db: Database) -> None:
    """Response limits (响应率): when the handler got the ticket, by when it must be claimed and on which clock,
    when it was claimed and how long that took on that clock; 解决率: the deciding answer to 「解决了吗」 on the
    ticket and on each rating; both summed in the daily and monthly rollup, whose covering index grows by them."""
    db.executescript(
        """
        ALTER TABLE tickets ADD COLUMN respond_started_at TEXT;
        ALTER TABLE tickets ADD COLUMN respond_by TEXT;
        ALTER TABLE tickets ADD COLUMN respond_unit TEXT;
        ALTER TABLE tickets ADD COLUMN claimed_at TEXT;
        ALTER TABLE tickets ADD COLUMN claim_seconds REAL;
        ALTER TABLE tickets ADD COLUMN solved INTEGER;
        ALTER TABLE ratings ADD COLUMN solved INTEGER;
        ALTER TABLE kpi_daily ADD COLUMN response_due INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_daily ADD COLUMN responded INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_daily ADD COLUMN solve_asked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_daily ADD COLUMN solved INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN response_due INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN responded INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN solve_asked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN solved INTEGER NOT NULL DEFAULT 0;
        -- the rollup and the period sums still read only this index (no table lookups)
        DROP INDEX IF EXISTS tickets_kpi;
        CREATE INDEX tickets_kpi ON tickets(created_at, state, category, grid_id, deadline_at, resolved_at, rating,
                                            respond_by, claimed_at, solved, claim_seconds);
        """
    )


@migrations()
def m028_rollup_claim_time(db: Database) -> None:
    """The average time to claim comes from the rollup too: how many were claimed and their seconds summed."""
    db.executescript(
        """
        ALTER TABLE kpi_daily ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_daily ADD COLUMN claim_seconds REAL NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE kpi_monthly ADD COLUMN claim_seconds REAL NOT NULL DEFAULT 0;
        """
    )


@migrations()
def m029_unclaimed_index(db: Database) -> None:
    """响应率 leaves out tickets unclaimed with their limit ahead: this index holds only unclaimed tickets that
    have a limit, so the page load reads a few hours' worth, where the open states' index read every open
    ticket's row (60-90 ms at 100k on a loaded machine; 1-3 ms this way)."""
    db.execute("CREATE INDEX IF NOT EXISTS tickets_unclaimed ON tickets(respond_by) "
               "WHERE claimed_at IS NULL AND respond_by IS NOT NULL")


@migrations()
def m030_wishes_and_qr_scenes(db: Database) -> None:
    """微心愿 (a resident's small wish on the community's open list, claimed by a volunteer, confirmed and rated by
    the resident) and the WeChat parametric QR codes made for 帮办二维码 posters (one per scene, kept: WeChat
    limits how many permanent codes an account may make)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS wishes (
            id INTEGER PRIMARY KEY,
            wisher TEXT NOT NULL REFERENCES users(id),
            community_id TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open',     -- open | claimed | done | confirmed | withdrawn
            created_at TEXT NOT NULL,
            claimed_by TEXT,
            claimed_at TEXT,
            report TEXT NOT NULL DEFAULT '',
            photos INTEGER NOT NULL DEFAULT 0,
            done_at TEXT,
            rating TEXT,
            rating_note TEXT NOT NULL DEFAULT '',
            points INTEGER NOT NULL DEFAULT 0,
            confirmed_at TEXT,
            withdrawn_by TEXT,
            withdrawn_at TEXT,
            withdraw_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS wishes_community_state ON wishes(community_id, state);
        CREATE INDEX IF NOT EXISTS wishes_wisher ON wishes(wisher);
        CREATE TABLE IF NOT EXISTS qr_codes (
            scene TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            ticket TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m031_rider_teams_and_names(db: Database) -> None:
    """The name a person chose (「我叫 小李」; name_key, its folded spelling, is unique so two people never share
    one) and the rider team each belongs to (one at a time; the teams themselves are in the deployment)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS chosen_names (
            user_id TEXT PRIMARY KEY REFERENCES users(id),
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            chosen_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS team_members (
            user_id TEXT PRIMARY KEY REFERENCES users(id),
            team_id TEXT NOT NULL,
            joined_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS team_members_team ON team_members(team_id);
        """
    )



@migrations()
def m032_media_files(db: Database) -> None:
    """Photos, videos and recordings kept in the store itself (``store.media: database``, the default on
    PostgreSQL), so every web machine and worker reads the same files: a media row's path is then a name here."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS media_files (
            name TEXT PRIMARY KEY,            -- what media.path / thumb_path or a message's photo keeps
            content BLOB NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m033_outbox_claims(db: Database) -> None:
    """Several senders deliver the outbox side by side: a row is claimed by one (``claimed_by``) until
    ``claimed_until``; a claim that runs out unsent (its sender died) is taken again. The partial index finds a
    recipient's earlier pending push without reading the ones already sent."""
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_until TEXT")
    db.execute("CREATE INDEX outbox_pending_recipient ON outbox(recipient, id) "
               "WHERE sent_at IS NULL AND failed_at IS NULL")


class Store(Database):
    """sqlite-utils' Database, with a query() that runs the SELECT as it is.

    sqlite-utils 4 wraps every query() in SAVEPOINT/RELEASE, in case the statement returns no rows; ours
    are our own SELECTs, and those two extra statements per read were a quarter of a report's SQL.
    """

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, params if params is not None else ())
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")   # an implicit transaction nothing would ever commit
            raise
        if cursor.description is None:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise ValueError("query() can only be used with SQL that returns rows; use execute()")
        keys = [d[0] for d in cursor.description]
        if len(set(keys)) < len(keys):
            keys = dedupe_keys(keys)
        if not was_in_transaction and self.conn.in_transaction:   # INSERT … RETURNING on its own: commit it
            rows = cursor.fetchall()
            self.conn.execute("COMMIT")
            return (dict(zip(keys, row)) for row in rows)
        return (dict(zip(keys, row)) for row in cursor)


#: SQLite keeps integers in 64 bits; a bigger number from a URL or a message (「进度 99999999999999999999」)
#: names no row, and must not reach the driver, which raises OverflowError (a 500 for everyone who tried).
MAX_ROW_ID = 2**63 - 1


def row_id(n: int) -> int:
    """A number bound against an id column, clamped into SQLite's range."""
    return max(-1, min(n, MAX_ROW_ID))


class StoreError(Exception):
    """The database file cannot be opened or migrated."""


class WriterBusy(StoreError):
    """Another writer held the store longer than this connection's ``writer_wait`` allows."""


def connect(path: str | Path) -> Database:
    """Open the store: a ``postgresql://`` URL, or a SQLite file (creating its folder) with WAL, foreign
    keys and a busy timeout.

    Each thread or request opens its own connection; SQLite serialises writers.
    """
    if dialect.is_url(str(path)):
        return _connect_postgres(str(path))
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = Store(conn)
        db.writer_lock_path = str(path)  # type: ignore[attr-defined]  # read by transaction()
        if str(path) != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        # statement journals in memory: a report's ON CONFLICT inserts otherwise create and unlink a file in
        # /var/tmp inside every write transaction (six system calls)
        db.execute("PRAGMA temp_store=MEMORY")
    except sqlite3.Error as e:
        raise StoreError(f"{path}: cannot open the database ({e}); check the path and its permissions")
    return db


def location(config: Config) -> str:
    """The store ``connect`` opens for a deployment: ``store.url`` when set (a PostgreSQL URL, or
    sqlite:///path), else the SQLite file at ``store.path``; relative paths are from the config's folder."""
    url = config.settings.store.url
    if dialect.is_url(url):
        return url
    return str(config.path(url.removeprefix("sqlite:///") if url else config.settings.store.path))


def _connect_postgres(url: str) -> Database:
    from dispatch import pg   # psycopg is needed only by a deployment on PostgreSQL

    try:
        return pg.PgStore(url)  # type: ignore[return-value]  # the same calls as Database, see dispatch/pg.py
    except Exception as e:  # noqa: BLE001 - psycopg's OperationalError and a malformed URL alike
        raise StoreError(f"{_without_password(url)}: cannot connect to PostgreSQL ({str(e).strip()}); "
                         "check store.url (host, port, user, database) and that the server is running")


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def init_db(path: str | Path) -> Database:
    """Open the store and apply pending migrations."""
    db = connect(path)
    if dialect.is_postgres(db):
        from dispatch import pg

        pg.migrate(db, migrations)  # type: ignore[arg-type]
    else:
        migrations.apply(db)
    return db


@contextmanager
def transaction(db: Database, savepoint: bool = True) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with "database is locked" when
    another process wrote in between; taking the lock first makes concurrent writers queue instead.
    Nested use becomes a savepoint, so a caller that catches the block's error keeps its own writes. On
    PostgreSQL writers run side by side (READ COMMITTED); code that decides on what it read takes
    ``dialect.lock`` or a row lock first.

    :param savepoint: False for a block whose error always ends the enclosing transaction (no caller catches
        it, e.g. filing a report): nested, it then adds no savepoint (two statements, and on PostgreSQL two
        round trips, saved); on its own it is a transaction as usual.
    """
    if dialect.is_postgres(db):
        if db.conn.in_transaction and not savepoint:
            yield db
            return
        with db.atomic():
            yield db
        return
    if db.conn.in_transaction:
        if not savepoint:
            yield db
            return
        with _savepoint(db):
            yield db
        return
    wait = getattr(db, "writer_wait", None)
    with _writer_turn(getattr(db, "writer_lock_path", None), wait):
        _begin_immediate(db, wait)
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.execute("COMMIT")


@contextmanager
def _savepoint(db: Database) -> Iterator[None]:
    """A nested transaction on SQLite. One name for every level (SQLite releases or rolls back to the latest of
    that name), so the statements are prepared once per connection; sqlite-utils' atomic() names each one
    anew, and a report nests two."""
    db.conn.execute("SAVEPOINT sandan")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:      # an error that ended the whole transaction leaves nothing to undo
            db.conn.execute("ROLLBACK TO SAVEPOINT sandan")
            db.conn.execute("RELEASE SAVEPOINT sandan")
        raise
    db.conn.execute("RELEASE SAVEPOINT sandan")


def _begin_immediate(db: Database, wait: float | None) -> None:
    """BEGIN IMMEDIATE, waiting at most ``wait`` seconds for a writer outside this app (a backup, a sqlite3
    shell) when a wait is set; the connection's own busy timeout otherwise."""
    if wait is None:
        db.conn.execute("BEGIN IMMEDIATE")
        return
    db.conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")   # an int we computed, not input
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise WriterBusy(f"the store stayed locked for {wait} s: {e}")
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


#: connect()'s busy timeout, restored after a bounded wait.
BUSY_TIMEOUT_MS = 30_000


class _WriterFile:
    """This process's side of the lock file that queues one database's writers (``<database>-writer.lock``).

    The process's own threads queue on ``lock`` (a thread may take it again: ``depth``); the first of them in
    line takes the flock. A bounded wait (a WeChat callback's ``writer_wait``) blocks in ``flock`` on a helper
    thread and waits for it with a timeout, so it gets the file the moment the other process lets it go; it
    used to poll with 10 ms naps, and under 8 concurrent writers the file sat free while the next one napped.
    A wait that runs out leaves the helper blocked in ``flock``: when it gets the file, it hands it to the
    writer then waiting in this process, if any, and lets it go otherwise.
    """

    def __init__(self, path: str) -> None:
        self.fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.lock = threading.RLock()
        self.depth = 0
        self._handover = threading.Condition()
        self._helper_waiting = False    # the helper is blocked in flock
        self._wanted = False            # a writer of this process waits for the helper
        self._handed = False            # the helper holds the file for that writer

    def take(self, wait: float | None) -> None:
        """Take the file, or raise WriterBusy after ``wait`` seconds (None: wait as long as it takes).
        Called by the one thread holding ``lock``."""
        with self._handover:
            if not self._helper_waiting:
                if wait is None:
                    fcntl.flock(self.fd, fcntl.LOCK_EX)
                    return
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    self._helper_waiting = True
                    threading.Thread(target=self._wait_for_file, name="sandan-writer-wait", daemon=True).start()
            self._wanted = True
            try:
                if not self._handover.wait_for(lambda: self._handed, timeout=wait):
                    raise WriterBusy(f"another writer held the store for {wait} s")
                self._handed = False
            finally:
                self._wanted = False

    def _wait_for_file(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        with self._handover:
            self._helper_waiting = False
            if self._wanted:
                self._handed = True
                self._handover.notify_all()
            else:                       # its writer stopped waiting: nobody here wants the file now
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def give_back(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)


_writer_files: dict[str, _WriterFile] = {}
_registry_lock = threading.Lock()


@contextmanager
def _writer_turn(path: str | None, wait: float | None = None) -> Iterator[None]:
    """Queue writers to one database file in line, across threads and processes, before BEGIN IMMEDIATE.

    SQLite's own busy handler sleeps and retries (up to 100 ms a nap), so under 8 concurrent writers the
    tail latency reached half a second; a lock file's flock wakes the next writer the moment the last
    one commits. The kernel drops the lock of a killed process, so a crash never blocks the others.
    """
    if path is None or path == ":memory:":
        yield
        return
    key = f"{os.getpid()}:{path}"   # a forked worker opens its own lock file: flock is per open file
    with _registry_lock:
        if key not in _writer_files:
            _writer_files[key] = _WriterFile(path)
    file = _writer_files[key]
    if not file.lock.acquire(timeout=-1 if wait is None else wait):
        raise WriterBusy(f"another thread held the store for {wait} s")
    try:
        file.depth += 1
        try:
            if file.depth == 1:
                file.take(wait)
        except BaseException:
            file.depth -= 1
            raise
        try:
            yield
        finally:
            file.depth -= 1
            if file.depth == 0:
                file.give_back()
    finally:
        file.lock.release()
