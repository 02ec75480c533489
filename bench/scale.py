"""Scale: a store with N tickets and 5N events, then the queries people wait on.

Measures "我的工单" (dispatch.tickets.reporter_tickets), the dashboard's KPI queries, the deadline scan
over the open tickets (dispatch.deadlines.scan, rolled back so the cached database stays as built) and
the file size, for 10k, 100k and N tickets, and prints Markdown tables for BENCHMARKS.md.

我的工单 is timed cold and warm: cold, the file is dropped from the OS page cache (posix_fadvise) and each
sampled resident is one not read before, so their pages come from disk, as for a server whose RAM does not
hold the file; warm, the same residents again.

Built databases are cached in bench/results/ (git-ignored); --rebuild makes them again.

Usage:
    .venv/bin/python bench/scale.py                      # 10k, 100k and 1M tickets
    .venv/bin/python bench/scale.py --tickets 100000     # 10k and 100k only
    .venv/bin/python bench/scale.py --tickets 1000000 --no-growth
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Any, Callable, Iterator

from common import RESULTS, ROOT, machine, summary, table, timed, verdict

from tqdm import tqdm

from dispatch import deadlines, stats

try:
    from dispatch import rollup
except ImportError:   # older trees: the KPIs read the tickets themselves
    rollup = None
from dispatch.store import connect, init_db
from dispatch.tickets import reporter_tickets
from dispatch.users import seed_staff
from settings import Config, load_config

#: The bench clock: every generated time is before it, and the scan runs at it.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
SPAN_DAYS = 730            # two years of history, whatever the size
OPEN_SHARE = 0.10          # 100,000 open tickets in a million
OPEN_WINDOW_HOURS = 96     # open tickets were filed in the last four days
EVENTS_PER_TICKET = 5
CHUNK = 20_000

TARGETS_MS = {"my_tickets_p99": 5.0, "kpi_query": 200.0, "scan": 1000.0}


# ---------------------------------------------------------------- building


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _texts(config: Config) -> list[str]:
    """Report texts shaped like real ones: a place, a building, a problem."""
    places = [p.name for c in config.deployment.communities for g in c.grids for p in g.places]
    problems = ["垃圾桶坏了", "楼道灯不亮了", "门口垃圾堆了好几天", "电梯坏了，老人下不了楼", "下水道堵了",
                "井盖松动有危险", "楼道里有电动车充电飞线", "有人占道摆摊", "楼上噪音扰民", "路灯不亮了"]
    return [f"{place}{b}栋{problem}" for place in places for b in (1, 3, 5, 8, 12) for problem in problems]


def _ticket_rows(config: Config, n: int, residents: int, rng: random.Random) -> Iterator[tuple[tuple, list[tuple]]]:
    """(ticket row, its event rows) for ids 1..n; the newest OPEN_SHARE are open, the rest finished."""
    texts = _texts(config)
    cats = [(c.name, c.handling, c.deadline_hours, c.department) for c in config.deployment.categories]
    grids = [(c.id, g.id) for c in config.deployment.communities for g in c.grids]
    secretaries = {g: f"api:sec-{g}" for _, g in grids}
    now = NOW.timestamp()
    first_open = n - int(n * OPEN_SHARE) + 1
    closed_span = SPAN_DAYS * 86400 - OPEN_WINDOW_HOURS * 3600
    start = now - SPAN_DAYS * 86400
    for tid in range(1, n + 1):
        name, handling, hours, department = cats[rng.randrange(len(cats))]
        community, grid = grids[rng.randrange(len(grids))]
        reporter = f"wechat:o{rng.randrange(residents)}"
        urgency = "紧急" if rng.random() < 0.05 else "一般"
        limit = min(hours, 4) if urgency == "紧急" else hours
        handler = f"api:dept-{department}" if department else secretaries[grid]
        rating = resolved = closed = None
        reminders = escalation = 0
        if tid < first_open:
            created = start + closed_span * (tid / first_open)
            deadline = created + limit * 3600
            resolved = created + limit * 3600 * rng.uniform(0.1, 1.25)    # about one in six is late
            roll = rng.random()
            if handling == "reply" or roll < 0.04:
                state, kinds = "answered", ["received", "answered", "note", "note", "note"]
            elif roll < 0.08:
                state, kinds = "resolved", ["received", "routed", "claimed", "resolved", "note"]
            else:
                state, kinds = "closed", ["received", "routed", "claimed", "resolved", "closed"]
                closed = resolved + rng.uniform(600, 86400)
                rating = rng.choices(["满意", "基本满意", "不满意"], [85, 10, 5])[0]
            updated = closed or resolved
        else:
            created = now - OPEN_WINDOW_HOURS * 3600 * rng.random()
            deadline = created + limit * 3600
            elapsed = (now - created) / (deadline - created)
            reminders = sum(1 for f in config.settings.dispatch.remind_at if elapsed >= f)
            updated = created
            if now >= deadline:      # already escalated once (or twice a day later): the quiet steady state
                state, escalation, updated = "escalated", 1 if now - deadline < 86400 else 2, deadline
            else:
                state = "transferred" if department else rng.choice(["routed", "claimed", "claimed"])
            kinds = ["received", "routed", "claimed" if state != "routed" else "note", "reminded", "note"]
        claimed_by = handler if state not in ("routed", "transferred", "answered") else None
        ticket = (tid, reporter, texts[rng.randrange(len(texts))], "report", name, handling, urgency, community,
                  grid, department, state, round(rng.uniform(0.5, 0.99), 2), claimed_by,
                  "已处理" if resolved and state in ("resolved", "closed") else None, rating, _iso(deadline),
                  reminders, escalation, _iso(created), _iso(updated),
                  _iso(resolved) if state in ("resolved", "closed") else None, _iso(closed) if closed else None)
        step = (min(updated, now) - created) / EVENTS_PER_TICKET
        events = [(tid, _iso(created + i * step), reporter if i == 0 else handler, kind, None, None, "")
                  for i, kind in enumerate(kinds)]
        yield ticket, events


TICKET_SQL = ("INSERT INTO tickets (id, reporter, text, intent, category, handling, urgency, community_id, grid_id,"
              " department_id, state, confidence, claimed_by, resolution, rating, deadline_at, reminders_sent,"
              " escalation_level, created_at, updated_at, resolved_at, closed_at)"
              " VALUES (" + ", ".join("?" * 22) + ")")
EVENT_SQL = ("INSERT INTO ticket_events (ticket_id, at, actor, kind, from_state, to_state, note)"
             " VALUES (?, ?, ?, ?, ?, ?, ?)")


_HELD: set[str] = set()


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """One builder per file: bench/dashboard.py shares these databases, and two builders would clobber each
    other. Re-entrant within a process (build checks the cache, which may upgrade it, under the lock)."""
    if str(path) in _HELD:
        yield
        return
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _HELD.add(str(path))
        try:
            yield
        finally:
            _HELD.discard(str(path))
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(path: Path, config: Config, n: int, seed: int = 7) -> float:
    """Create the database with the app's own migrations, then bulk-load it; returns seconds taken
    (0 when another process built it meanwhile)."""
    with build_lock(path):
        if cached(path, n):
            return 0.0
        return _build(path, config, n, seed)


def _build(path: Path, config: Config, n: int, seed: int) -> float:
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = init_db(path)
    seed_staff(db, config.deployment, NOW)
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    # Loading only: no journal, no fsync, a big cache. The app's own pragmas apply when it opens the file.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY",
                   "foreign_keys=OFF"):
        conn.execute(f"PRAGMA {pragma}")
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           "AND tbl_name IN ('tickets', 'ticket_events', 'users')").fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')   # names from sqlite_master; rebuilt below, much faster than in place
    residents = max(100, n // 5)
    rng = random.Random(seed)
    conn.execute("BEGIN")
    created = _iso(NOW.timestamp() - SPAN_DAYS * 86400)
    conn.executemany("INSERT INTO users (id, channel, external_id, created_at) VALUES (?, 'wechat', ?, ?)",
                     ((f"wechat:o{i}", f"o{i}", created) for i in range(residents)))
    tickets: list[tuple] = []
    events: list[tuple] = []
    for ticket, evs in tqdm(_ticket_rows(config, n, residents, rng), total=n, desc=f"build {n:,}", unit="t",
                            mininterval=2):
        tickets.append(ticket)
        events.extend(evs)
        if len(tickets) >= CHUNK:
            conn.executemany(TICKET_SQL, tickets)
            conn.executemany(EVENT_SQL, events)
            tickets, events = [], []
    conn.executemany(TICKET_SQL, tickets)
    conn.executemany(EVENT_SQL, events)
    followers = {(rng.randrange(1, n + 1), f"wechat:o{rng.randrange(residents)}") for _ in range(n // 50)}
    conn.executemany("INSERT OR IGNORE INTO ticket_followers (ticket_id, user_id) VALUES (?, ?)", followers)
    for name, sql in tqdm(indexes, desc="indexes", mininterval=2):
        conn.execute(sql)
    conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('bench_scale', ?)",
                 [json.dumps({"tickets": n, "seed": seed, "schema": schema_version()})])
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    plan_deadline_marks(path, config)
    return time.perf_counter() - started


def plan_deadline_marks(path: Path, config: Config) -> None:
    """Give the open tickets the reminder/escalation rows the app would have written, as already sent up to a
    minute before NOW: the scan then sees the steady state, not a worker that was down for two years."""
    ensure = getattr(deadlines, "ensure_marks", None)
    if ensure is None:
        return
    db = connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.conn.execute("BEGIN")
    ensure(db, config)
    if "deadline_marks" in db.table_names():
        db.execute("UPDATE deadline_marks SET sent_at = due_at WHERE sent_at IS NULL AND due_at <= ?",
                   [_iso(NOW.timestamp() - 60)])
    db.conn.execute("COMMIT")
    db.close()


def schema_version() -> list[str]:
    """The app's migration names: a cached database built with another schema is rebuilt."""
    db = init_db(":memory:")
    names = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    db.close()
    return names


def cached(path: Path, n: int) -> bool:
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(path)
        row = conn.execute("SELECT value FROM kv WHERE key = 'bench_scale'").fetchone()
        conn.close()
    except sqlite3.Error:
        return False
    if not row:
        return False
    built = json.loads(row[0])
    if built.get("tickets") != n:
        return False
    current = schema_version()
    if built.get("schema") == current:
        return True
    if current[:len(built.get("schema", []))] == built.get("schema"):
        upgrade(path, n, built, current)   # new migrations only: apply them, as the app does on upgrade
        return True
    return False


def upgrade(path: Path, n: int, built: dict[str, Any], schema: list[str]) -> None:
    with build_lock(path):
        db = init_db(path)
        db.execute("UPDATE kv SET value = ? WHERE key = 'bench_scale'", [json.dumps({**built, "schema": schema})])
        db.conn.commit()
        db.close()
        print(f"{path.name}: applied {', '.join(schema[len(built['schema']):])}", flush=True)


# ---------------------------------------------------------------- measuring

def drop_from_page_cache(path: Path) -> None:
    """Evict the database and its WAL from the OS page cache, so the next reads come from disk."""
    for suffix in ("", "-wal"):
        try:
            fd = os.open(f"{path}{suffix}", os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.fsync(fd)   # dirty pages (a fresh build, an upgrade) cannot be dropped
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def disk_read_bytes() -> int:
    """Bytes this process has read from the disk itself, not the page cache (0 without /proc/self/io)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def my_tickets_first_reads(path: Path, people: list[str]) -> tuple[list[float], float]:
    """我的工单 once for each resident, on one connection (as a worker thread keeps), after dropping the file
    from the page cache: each resident's pages come from disk; the index's upper levels soon stay cached.
    Returns the durations and the KB read from disk per call."""
    drop_from_page_cache(path)
    db = connect(path)
    it = iter(people)
    before = disk_read_bytes()
    ms = timed(lambda: reporter_tickets(db, next(it)), len(people))
    kb = (disk_read_bytes() - before) / 1024 / len(people)
    db.close()
    return ms, kb


def my_tickets_coldest(path: Path, people: list[str]) -> tuple[list[float], float]:
    """我的工单 with every page from disk, the index's upper levels too: the file dropped from the page cache
    and a new connection before each call (the schema is read before the clock starts), as after a restart."""
    ms: list[float] = []
    read = 0
    for person in people:
        drop_from_page_cache(path)
        db = connect(path)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        before = disk_read_bytes()
        start = time.perf_counter()
        reporter_tickets(db, person)
        ms.append((time.perf_counter() - start) * 1000)
        read += disk_read_bytes() - before
        db.close()
    return ms, read / 1024 / len(people)


#: The dashboard's KPI page: the app's own calls (dispatch/stats.py) over whole local days, as its date
#: pickers ask (those read the daily rollup, brought up to date on the way). bench/dashboard.py has more.
KPI_CALLS: dict[str, Callable[..., object]] = {
    "KPIs (counts, 办结率, 按时办结率, 满意率, open, overdue)":
        lambda db, config, start, end: stats.kpis(db, config, start, end, NOW),
    "by category": lambda db, config, start, end: stats.by_category(db, config, start, end),
    "by grid": lambda db, config, start, end: stats.by_grid(db, config, start, end),
    "trend (by week or month)": lambda db, config, start, end: stats.trend(db, config, start, end),
}
WINDOWS = {"30d": 30, "all": SPAN_DAYS + 1}


def local_midnight_after(config: Config) -> datetime:
    tz = ZoneInfo(config.settings.dispatch.timezone)
    return NOW.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def measure(path: Path, config: Config, samples: int, seed: int = 11) -> dict[str, Any]:
    db = connect(path)
    rng = random.Random(seed)
    n = db.execute("SELECT max(id) FROM tickets").fetchone()[0]
    residents = db.execute("SELECT count(*) FROM users WHERE channel = 'wechat'").fetchone()[0]
    db.close()
    coldest_samples = max(20, samples // 10)
    samples = min(samples, residents - coldest_samples)
    chosen = rng.sample(range(residents), samples + coldest_samples)   # no resident read twice
    people = [f"wechat:o{i}" for i in chosen[:samples]]
    cold_ms, cold_kb = my_tickets_first_reads(path, people)
    coldest_ms, coldest_kb = my_tickets_coldest(path, [f"wechat:o{i}" for i in chosen[samples:]])
    load = os.getloadavg()[0]
    db = connect(path)
    for person in people:   # bring them back into the page cache (the coldest runs dropped them)
        reporter_tickets(db, person)
    it = iter(people)
    mine = summary(timed(lambda: reporter_tickets(db, next(it)), len(people)))
    heavy = db.execute("SELECT reporter FROM tickets GROUP BY reporter ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    mine_heavy = summary(timed(lambda: reporter_tickets(db, heavy), 50))
    heavy_count = reporter_tickets(db, heavy)[1]

    kpi: dict[str, dict[str, float]] = {}
    end = local_midnight_after(config)
    started = time.perf_counter()
    rollup_days = rollup.refresh(db, config) if rollup else 0   # the worker keeps it fresh; a new store builds it
    rollup_ms = (time.perf_counter() - started) * 1000
    for window, days in WINDOWS.items():
        for name, call in KPI_CALLS.items():
            run: Callable[[], object] = lambda: call(db, config, end - timedelta(days=days), end)  # noqa: E731
            run()   # warm the page cache
            kpi[f"{name} ({window})"] = summary(timed(run, 5))

    open_count = db.execute("SELECT count(*) FROM tickets WHERE state IN ('routed', 'claimed', 'in_progress', "
                            "'reopened', 'escalated', 'transferred')").fetchone()[0]
    scans = []
    counts: dict[str, int] = {}
    for _ in range(3):
        db.conn.execute("BEGIN")   # scan's own transactions become savepoints; rolled back to keep the file as built
        start = time.perf_counter()
        counts = deadlines.scan(db, config, NOW)
        scans.append((time.perf_counter() - start) * 1000)
        db.conn.rollback()
    db.close()
    size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    return {"tickets": n, "events": n * EVENTS_PER_TICKET, "residents": residents, "open": open_count,
            "my_tickets": mine, "my_tickets_heavy": mine_heavy, "heavy_count": heavy_count,
            "my_tickets_cold": summary(cold_ms), "cold_kb": cold_kb, "my_tickets_coldest": summary(coldest_ms),
            "coldest_kb": coldest_kb, "cold_samples": (len(cold_ms), len(coldest_ms)), "cold_load": load,
            "kpi": kpi, "rollup_ms": rollup_ms, "rollup_days": rollup_days, "scan_ms": min(scans), "scan_counts": counts, "size_mb": size / 1e6}


# ---------------------------------------------------------------- report


def report(results: list[dict[str, Any]], builds: dict[int, float | None]) -> str:
    out = [f"Machine: {machine()}", ""]
    for r in results:
        n = r["tickets"]
        built = builds.get(n)
        out.append(f"### {n:,} tickets, {r['events']:,} events, {r['residents']:,} residents, "
                   f"{r['open']:,} open — {r['size_mb']:,.0f} MB"
                   + (f", built in {built:,.0f} s" if built else " (cached build)"))
        out.append("")
        first, coldest = r["cold_samples"]
        out.append(f"我的工单 cold runs at load average {r['cold_load']:.1f} (1 min).")
        out.append("")
        mine_rows = [
            (f"我的工单 cold: first read of {first:,} residents, file not in the page cache "
             f"({r['cold_kb']:.0f} KB from disk each)", r["my_tickets_cold"]),
            (f"我的工单 coldest: file dropped and a new connection before each of {coldest:,} calls "
             f"({r['coldest_kb']:.0f} KB from disk each)", r["my_tickets_coldest"]),
            ("我的工单 warm: the same residents again", r["my_tickets"]),
            (f"我的工单 warm: busiest resident ({r['heavy_count']} tickets)", r["my_tickets_heavy"]),
        ]
        rows = [[name, s["p50"], s["p99"], "< 5 ms p99", verdict(s["p99"], TARGETS_MS["my_tickets_p99"])]
                for name, s in mine_rows]
        for name, s in r["kpi"].items():
            rows.append([f"KPI {name}", s["p50"], s["p99"], "< 200 ms", verdict(s["p50"], TARGETS_MS["kpi_query"])])
        if r["rollup_days"]:
            rows.append([f"daily KPI rollup brought up to date ({r['rollup_days']:,} days summed)", r["rollup_ms"],
                         "", "worker job", ""])
        page = {w: sum(s["p50"] for k, s in r["kpi"].items() if k.endswith(f"({w})")) for w in ("all", "30d")}
        for w, total in page.items():
            rows.append([f"KPI page, all four calls ({w})", total, "", "< 200 ms", verdict(total, 200)])
        rows.append([f"deadline scan, {r['open']:,} open (→ {r['scan_counts']})", r["scan_ms"], "", "< 1000 ms",
                     verdict(r["scan_ms"], TARGETS_MS["scan"])])
        out += [table(["measure", "p50 ms", "p99 ms", "target", ""], rows), ""]
    if len(results) > 1:
        out.append("### Cost growth")
        out.append("")
        headers = ["measure"] + [f"{r['tickets']:,}" for r in results] + ["growth ×"]

        def row(name: str, get: Callable[[dict], float]) -> list:
            vals = [get(r) for r in results]
            return [name, *vals, f"{vals[-1] / vals[0]:,.1f}" if vals[0] else ""]
        rows = [row("我的工单 warm p50 ms", lambda r: r["my_tickets"]["p50"]),
                row("我的工单 warm p99 ms", lambda r: r["my_tickets"]["p99"]),
                row("我的工单 cold (first read) p50 ms", lambda r: r["my_tickets_cold"]["p50"]),
                row("我的工单 cold (first read) p99 ms", lambda r: r["my_tickets_cold"]["p99"]),
                row("KPI page all-time ms", lambda r: sum(s["p50"] for k, s in r["kpi"].items() if "(all)" in k)),
                row("KPI page 30 days ms", lambda r: sum(s["p50"] for k, s in r["kpi"].items() if "(30d)" in k)),
                row("deadline scan ms", lambda r: r["scan_ms"]),
                row("open tickets", lambda r: r["open"]),
                row("file size MB", lambda r: r["size_mb"])]
        out += [table(headers, rows), ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="the largest size (default 1,000,000)")
    parser.add_argument("--no-growth", action="store_true", help="only the largest size, not 10k and 100k first")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    parser.add_argument("--samples", type=int, default=2000,
                        help="我的工单: residents timed cold, then warm (and a tenth as many for the coldest runs)")
    args = parser.parse_args()
    config = load_config(ROOT / "config.yaml")
    sizes = [args.tickets] if args.no_growth else sorted({s for s in (10_000, 100_000) if s < args.tickets}
                                                         | {args.tickets})
    RESULTS.mkdir(parents=True, exist_ok=True)
    results, builds = [], {}
    for n in sizes:
        path = RESULTS / f"scale-{n}.db"
        builds[n] = None
        if args.rebuild:
            with build_lock(path):
                builds[n] = _build(path, config, n, seed=7)
        elif not cached(path, n):
            builds[n] = build(path, config, n) or None
        if builds[n]:
            print(f"built {path} in {builds[n]:,.0f} s", flush=True)
        results.append(measure(path, config, args.samples))
    text = report(results, builds)
    print(text)
    (RESULTS / "scale.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
