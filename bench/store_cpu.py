"""CPU per report in the app and in the database, on SQLite and PostgreSQL, with a cProfile of the store calls.

In one process, no HTTP server: the Flask app's test client posts --reports new reports to /api/messages
(one client, one after the other, after --warmup reports), on a fresh store of each kind. It prints the app's
CPU per report (this process), the database server's CPU per report (the throwaway cluster's processes; for
SQLite the database works inside the app), the statements the store ran per report, and, with --profile,
the functions where the app spent most of its own time on each store.

Usage:
    .venv/bin/python bench/store_cpu.py                   # 300 reports on each store
    .venv/bin/python bench/store_cpu.py --profile 25      # and the 25 costliest functions on each
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import time
from pathlib import Path

from common import cpu_seconds, machine, table
from webhook import API_KEY, Postgres, fresh_store, report_texts

from bot.app import create_app


def cluster_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL cluster so far: the postmaster, its live backends, and those it reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")   # cutime, cstime
    return cpu_seconds(pid) + reaped


def transactions(url: str) -> int:
    """Transactions the database has committed or rolled back so far (each statement outside one is one)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                            "WHERE datname = current_database()").fetchone()[0]


def measure(store: str, postgres: Postgres | None, reports: int, warmup: int, profile: int) -> list:
    url = postgres.fresh() if store == "postgresql" and postgres else ""
    folder, config_path, config = fresh_store(f"store_cpu_{store}", url)
    app = create_app(config_path)
    client = app.test_client()
    texts = report_texts(config, warmup + reports, random.Random(7))

    def post(i: int) -> None:
        r = client.post("/api/messages", headers={"X-Api-Key": API_KEY}, data=json.dumps(
            {"sender": f"cpu-{i % 200}", "text": texts[i], "msg_id": f"cpu-{i}"}), content_type="application/json")
        assert r.status_code == 200, r.get_data(as_text=True)

    for i in range(warmup):
        post(i)
    measured = bool(postgres and postgres.pid and url)
    db_before = cluster_cpu(postgres.pid) if measured else 0.0
    tx_before = transactions(url) if url else 0
    profiler = cProfile.Profile(time.process_time) if profile else None   # CPU, not time waiting on the server
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(warmup, warmup + reports):
        post(i)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db_cpu = cluster_cpu(postgres.pid) - db_before if measured else 0.0
    per_report = (transactions(url) - tx_before) / reports if url else None
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
        print(f"\n### {store}: the {profile} costliest functions (own time), {reports} reports\n")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    return [store, reports, 1000 * cpu / reports, 1000 * db_cpu / reports if measured else "(in the app)",
            1000 * wall / reports, f"{per_report:.1f}" if per_report is not None else "-"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    stores = args.stores.split(",")
    postgres = Postgres(args.pg_url) if "postgresql" in stores else None
    rows = []
    try:
        for store in stores:
            rows.append(measure(store, postgres, args.reports, args.warmup, args.profile))
    finally:
        if postgres:
            postgres.stop()
    print("\n## CPU per report, app and database, one client (bench/store_cpu.py)\n")
    print(table(["store", "reports", "app CPU ms/report", "database CPU ms/report", "wall ms/report",
                 "transactions/report"], rows))
    print(f"\n{'with cProfile on: the CPU figures include its overhead' if args.profile else 'cProfile off'}; "
          f"{machine()}")


if __name__ == "__main__":
    main()
