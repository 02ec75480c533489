"""Dashboard and Open311 queries on a big store: the period KPIs, the three charts, the grid rating,
open/overdue, the ticket list (first page, a filter, a text search) and the weekly leaderboard.

Reuses bench/scale.py's builder and its cached databases (bench/results/scale-N.db), so both benches
measure the same data. Times the app's own functions in dispatch/stats.py and dispatch/points.py.

Usage:
    .venv/bin/python bench/dashboard.py                    # 100k and 1M tickets
    .venv/bin/python bench/dashboard.py --tickets 100000
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from common import RESULTS, ROOT, machine, summary, table, timed, verdict
from scale import NOW, build, cached

from dispatch import points, rollup, stats
from dispatch.store import connect
from settings import load_config

TARGET_MS = 200.0


def measure(path: Path, config: Any) -> list[list[Any]]:
    db = connect(path)
    tz = ZoneInfo(config.settings.dispatch.timezone)
    quarter = stats.quarter_of(NOW, config.settings.dispatch.timezone)[:2]
    tomorrow = NOW.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    # The dashboard asks whole local days (its date pickers), which read the daily rollup; the last row
    # is a range that is not whole days, which sums the tickets themselves.
    windows = {"30 days": (tomorrow - timedelta(days=30), tomorrow), "this quarter": quarter,
               "all time (2 years)": (tomorrow - timedelta(days=800), tomorrow),
               "all time, not whole days": (NOW - timedelta(days=800), NOW)}
    db.execute("DELETE FROM kpi_daily")   # time the first build of the rollup too
    db.execute("DELETE FROM kv WHERE key LIKE 'stats:rollup%'")
    db.conn.commit()
    started = time.perf_counter()
    days = rollup.refresh(db, config)
    rows_built = [[f"daily rollup, first build ({days} days)", round((time.perf_counter() - started) * 1000, 1),
                   "", "once", ""]]
    rows = rows_built

    def time_it(name: str, fn: Callable[[], object], repeat: int = 5) -> None:
        fn()   # warm the page cache
        s = summary(timed(fn, repeat))
        rows.append([name, s["p50"], s["p99"], f"< {TARGET_MS:.0f} ms", verdict(s["p50"], TARGET_MS)])

    for label, (start, end) in windows.items():
        time_it(f"KPIs ({label})", lambda: stats.kpis(db, config, start, end, NOW))
        time_it(f"chart by category ({label})", lambda: stats.by_category(db, config, start, end))
        time_it(f"chart by grid ({label})", lambda: stats.by_grid(db, config, start, end))
        time_it(f"chart by week or month ({label})", lambda: stats.trend(db, config, start, end))
        time_it(f"grid rating ({label})", lambda: stats.grid_ratings(db, config, start, end, NOW))

        def page() -> None:
            stats.kpis(db, config, start, end, NOW)
            stats.by_category(db, config, start, end)
            stats.by_grid(db, config, start, end)
            stats.trend(db, config, start, end)
            stats.grid_ratings(db, config, start, end, NOW)
        time_it(f"whole overview page, 5 calls ({label})", page, 3)

    time_it("daily rollup, page-load check, nothing changed", lambda: rollup.refresh(db, config))
    time_it("daily rollup, the worker's forced refresh", lambda: rollup.refresh(db, config, force=True))
    time_it("ticket list, first page", lambda: stats.find_tickets(db, stats.TicketFilter(), 51))
    time_it("ticket list, state=received", lambda: stats.find_tickets(db, stats.TicketFilter(states=("received",)), 51))
    time_it("ticket list, grid + open states",
            lambda: stats.find_tickets(db, stats.TicketFilter(states=("routed", "claimed"), grid_id="longxi-1"), 51))
    time_it("ticket list, text search 电梯", lambda: stats.find_tickets(db, stats.TicketFilter(text="电梯"), 51))
    time_it("Open311 requests.json, 90 days, status=closed", lambda: stats.find_tickets(
        db, stats.TicketFilter(states=("closed",), created_from=NOW - timedelta(days=90)), 1000))
    week = points.week_start(NOW, config.settings.dispatch.timezone)
    time_it("weekly leaderboard", lambda: points.leaderboard(db, week, week + timedelta(days=7), 10))
    db.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    config = load_config(ROOT / "config.yaml")
    sizes = [n for n in (100_000, args.tickets) if n <= args.tickets]
    out = [f"Machine: {machine()}", ""]
    for n in dict.fromkeys(sizes):
        path = RESULTS / f"scale-{n}.db"
        RESULTS.mkdir(parents=True, exist_ok=True)
        if not cached(path, n):
            print(f"building {n:,} tickets (cached in {path})…")
            build(path, config, n)
        out += [f"### {n:,} tickets", "", table(["measure", "p50 ms", "p99 ms", "target", ""], measure(path, config)), ""]
    text = "\n".join(out)
    (RESULTS / "dashboard.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
