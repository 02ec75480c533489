"""Webhook throughput and latency: the bot's full pipeline against a bare wechatpy echo, same server,
on each store (SQLite, then PostgreSQL) in one run.

Both apps run under gunicorn with the same settings (2 workers, gthread, 4 threads each, loopback).
Modes, each with 1 client (sequential) and 8 clients (concurrent, keep-alive connections):

- echo      bench/echo_app.py: verify, decrypt, parse, encrypt a reply — the protocol alone
- wechat    the bot's /wechat in safe mode: verify, decrypt, NLU, store (message, ticket, events),
            reply, outbox rows for the grid — every message a new report with its own MsgId
- api       the bot's JSON API /api/messages with the same texts (no crypto)

The bot runs once per store: a SQLite file, then a PostgreSQL database (a throwaway cluster on this machine
started with scripts/postgres-throwaway.sh, or the server --pg-url names). Requests are signed and encrypted
before the clock starts, so the client measures the server. CPU per request is counted for the gunicorn
processes (server), the throwaway cluster's backends (store) and this process's client threads.
Targets (issue 15): /wechat at 8 clients ≥ 0.35 × echo's requests/s on SQLite, p99 < 50 ms.

Usage:
    .venv/bin/python bench/webhook.py                      # everything: echo, SQLite, PostgreSQL; 400 + 2,000 each
    .venv/bin/python bench/webhook.py --stores sqlite --modes echo,wechat
    .venv/bin/python bench/webhook.py --stores postgresql --pg-url postgresql://user@host/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import RESULTS, ROOT, cpu_seconds, machine, percentile, table, wait_until_up, write_config

from dispatch.clock import utcnow
from dispatch.store import connect, init_db
from dispatch.users import seed_staff
from settings import Config, load_config

API_KEY = "bench-api-key"
WORKERS, THREADS = 2, 4


@dataclass
class Request:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu_ms: float = 0.0      # per request: the gunicorn master and workers
    client_cpu_ms: float = 0.0      # per request: this process's client threads

    @property
    def cpu_ms(self) -> float:
        """CPU time per request, server and client together: what the machine's cores are shared by."""
        return self.server_cpu_ms + self.client_cpu_ms

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- requests, built before the clock starts


def report_texts(config, count: int, rng: random.Random) -> list[str]:
    """Distinct reports: a place, a building, a problem — so each one files a ticket."""
    places = [p.name for c in config.deployment.communities for g in c.grids for p in g.places
              if p.kind == "estate"]
    problems = ["垃圾桶坏了", "楼道灯不亮了", "门口垃圾堆了好几天", "下水道堵了", "楼道里有电动车充电",
                "楼上漏水到我家", "单元门坏了关不上", "绿化带里有积水"]
    return [f"{rng.choice(places)}{rng.randint(1, 40)}栋{rng.choice(problems)}" for _ in range(count)]


class Capture:
    """A stand-in transport that keeps the signed request instead of sending it."""

    def __init__(self) -> None:
        self.last: tuple[dict[str, str], str] | None = None

    def request(self, method: str, path: str, params: dict[str, str], body: str) -> tuple[int, str]:
        self.last = (params, body)
        return 200, "success"


def wechat_requests(config, texts: list[str], first_user: int) -> list[Request]:
    from urllib.parse import urlencode

    from standin.client import WeChatServer

    w = config.settings.wechat
    capture = Capture()
    server = WeChatServer(capture, w.token, w.aes_key, w.app_id, mode="aes")
    out = []
    for i, text in enumerate(texts):
        server.text(f"oBench{first_user + i % 500:05d}", text)
        params, body = capture.last
        out.append(Request(f"/wechat?{urlencode(params)}", body.encode(), {"Content-Type": "text/xml"}))
    return out


def api_requests(texts: list[str], first_user: int) -> list[Request]:
    return [Request("/api/messages", json.dumps({"sender": f"bench-{first_user + i % 500}", "text": text,
                                                  "msg_id": f"bench-{first_user}-{i}"}).encode(),
                    {"Content-Type": "application/json", "X-Api-Key": API_KEY}) for i, text in enumerate(texts)]


# ---------------------------------------------------------------- the client


def run(port: int, requests: list[Request], concurrency: int, server_pid: int | None = None) -> Result:
    """Send every request once, from ``concurrency`` threads with one keep-alive connection each.

    With ``server_pid``, the CPU time the server and the client spent per request is measured too.
    """
    result = Result()
    lock = threading.Lock()
    shares = [requests[i::concurrency] for i in range(concurrency)]

    def client(share: list[Request]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, errors = [], []
        for r in share:
            start = time.perf_counter()
            try:
                conn.request("POST", r.path, body=r.body, headers=r.headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200 or not data:
                    errors.append(f"{resp.status} {data[:80]!r}")
                    continue
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            result.latencies_ms.extend(mine)
            result.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    server_cpu, client_cpu = cpu_seconds(server_pid) if server_pid else 0.0, time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    if server_pid and requests:
        result.server_cpu_ms = (cpu_seconds(server_pid) - server_cpu) / len(requests) * 1000
        result.client_cpu_ms = (time.process_time() - client_cpu) / len(requests) * 1000
    return result


# ---------------------------------------------------------------- the servers


class Gunicorn:
    def __init__(self, app: str, port: int, log: Path, pythonpath: str = "", worker_class: str = "gthread",
                 workers: int = WORKERS, threads: int = THREADS) -> None:
        self.port = port
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-k", worker_class, "--threads",
               str(threads), "-b", f"127.0.0.1:{port}", "--preload", "--keep-alive", "30", "--log-level",
               "warning", "--no-control-socket", "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null"]
        if pythonpath:
            cmd += ["--pythonpath", pythonpath]
        self.log = open(log, "ab")
        self.proc = subprocess.Popen(cmd + [app], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        wait_until_up(self.port, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def fresh_store(name: str, url: str = "") -> tuple[Path, Path, Config]:
    """bench/results/<name>/ emptied, with a config.yaml (the bench API key) and a store with the demo staff:
    the SQLite file there, or the PostgreSQL database ``url``."""
    folder = RESULTS / name
    shutil.rmtree(folder, ignore_errors=True)
    config_path = write_config(folder, {"web": {"api_key": API_KEY}, "store": {"url": url}})
    config = load_config(config_path)
    db = init_db(url or folder / "sandan.db")
    seed_staff(db, config.deployment, utcnow())
    db.close()
    return folder, config_path, config


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- PostgreSQL


class Postgres:
    """A PostgreSQL for the bench: a throwaway cluster on this machine (scripts/postgres-throwaway.sh, the
    same one scripts/test.sh starts), or the server ``url`` names. Either way the bench works in a database
    of its own, dropped at the end. ``pid`` is the cluster's postmaster when it is ours, so the CPU its
    backends spend can be counted; a server elsewhere is not measured."""

    def __init__(self, url: str = "") -> None:
        self.cluster = "" if url else tempfile.mkdtemp(prefix="sandan-pg.")
        if self.cluster:
            url = subprocess.run(["bash", str(ROOT / "scripts/postgres-throwaway.sh"), "start", self.cluster],
                                 check=True, capture_output=True, text=True).stdout.strip()
        self.admin_url = url
        self.database = f"sandan_bench_{os.getpid()}"
        self.pid = int((Path(self.cluster) / "data/postmaster.pid").read_text().split()[0]) if self.cluster else None

    def fresh(self) -> str:
        """An empty database (made again on every call), its URL."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {self.database}")
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{self.database}"))

    def stop(self) -> None:
        if self.cluster:
            subprocess.run(["bash", str(ROOT / "scripts/postgres-throwaway.sh"), "stop", self.cluster])
            shutil.rmtree(self.cluster, ignore_errors=True)
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")


# ---------------------------------------------------------------- main


STORE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrent run (default 2000)")
    parser.add_argument("--sequential", type=int, default=400, help="requests per sequential run (default 400)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--modes", default="echo,wechat,api")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads per gthread worker (default {THREADS})")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"],
                        help="gunicorn worker class for both apps (sync: no keep-alive, one request per worker)")
    parser.add_argument("--stores", "--store", default="sqlite,postgresql",
                        help="the bot's stores, in turn (default sqlite,postgresql; postgresql: a throwaway cluster "
                             "on this machine, scripts/postgres-throwaway.sh, unless --pg-url names a server)")
    parser.add_argument("--pg-url", default="", help="a PostgreSQL server to use instead of a throwaway cluster "
                                                     "(the bench makes and drops a database of its own there)")
    args = parser.parse_args()
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = [s for s in stores if s not in STORE_NAMES]
    if unknown:
        parser.error(f"--stores: unknown {', '.join(unknown)} (choose from sqlite, postgresql)")
    postgres = Postgres(args.pg_url) if "postgresql" in stores and set(args.modes.split(",")) - {"echo"} else None
    try:
        bench(args, args.modes.split(","), stores, postgres)
    finally:
        if postgres:
            postgres.stop()


def bench(args: argparse.Namespace, modes: list[str], stores: list[str], postgres: Postgres | None) -> None:
    rows, results = [], {}
    conc = args.concurrency
    gunicorn = dict(worker_class=args.worker_class, workers=args.workers, threads=args.threads)
    total = args.sequential + args.requests + 40

    def measure(mode: str, store: str, server: Gunicorn, reqs: list[Request], store_pid: int | None) -> None:
        run(server.port, reqs[-40:], 4)                                           # warm-up
        for label, clients, batch in (("1", 1, reqs[:args.sequential]),
                                      (str(conc), conc, reqs[args.sequential:args.sequential + args.requests])):
            before = cpu_seconds(store_pid) if store_pid else 0.0
            r = run(server.port, batch, clients, server.proc.pid)
            store_cpu = (cpu_seconds(store_pid) - before) / len(batch) * 1000 if store_pid and batch else None
            results[(mode, store, clients)] = r
            p50, p99 = percentile(r.latencies_ms, 50), percentile(r.latencies_ms, 99)
            rows.append([mode, STORE_NAMES.get(store, "—"), label, len(r.latencies_ms), len(r.errors), r.rps, p50, p99,
                         max(r.latencies_ms) if r.latencies_ms else float("nan"), r.server_cpu_ms,
                         "—" if store_cpu is None else store_cpu, r.client_cpu_ms])
            print(f"{mode:7} {STORE_NAMES.get(store, '—'):10} {label:>2} clients {r.rps:8.0f} req/s  p50 {p50:.1f} ms  "
                  f"p99 {p99:.1f} ms  server CPU {r.server_cpu_ms:.2f} ms/req"
                  + (f"  store CPU {store_cpu:.2f} ms/req" if store_cpu is not None else "")
                  + f"  errors {len(r.errors)}  (load {os.getloadavg()[0]:.1f})", flush=True)
            if r.errors:
                print("   first errors:", r.errors[:3])

    if "echo" in modes:
        folder, config_path, config = fresh_store("webhook")
        print(f"signing {total:,} requests for the echo…", flush=True)
        wechat = wechat_requests(config, report_texts(config, total, random.Random(3)), 0)
        echo = Gunicorn(f"echo_app:create_echo_app({str(config_path)!r})", free_port(), folder / "gunicorn-echo.log",
                        pythonpath=str(ROOT / "bench"), **gunicorn)
        try:
            echo.wait()
            measure("echo", "", echo, wechat, None)    # echo replays the same signed messages: it stores nothing
        finally:
            echo.stop()

    stored = {}
    for store in stores if set(modes) - {"echo"} else []:
        url = postgres.fresh() if store == "postgresql" and postgres else ""
        folder, config_path, config = fresh_store(f"webhook-{store}", url)
        # signed now, not at the start: a callback older than 5 minutes is refused as a replay
        texts = report_texts(config, total, random.Random(3))
        print(f"signing {total * 2:,} requests for the bot on {STORE_NAMES[store]}…", flush=True)
        requests = {"wechat": wechat_requests(config, texts, 0), "api": api_requests(texts, 1000)}
        bot = Gunicorn(f"bot.app:create_app({str(config_path)!r})", free_port(), folder / "gunicorn-bot.log",
                       **gunicorn)
        try:
            bot.wait()
            for mode in modes:
                if mode != "echo":
                    # the bot gets fresh messages in each mode (a replay would be a dedup hit)
                    measure(mode, store, bot, requests[mode], postgres.pid if store == "postgresql" and postgres else None)
        finally:
            bot.stop()
        db = connect(url or folder / "sandan.db")
        stored[store] = {k: db.execute(f"SELECT count(*) FROM {k}").fetchone()[0]
                         for k in ("messages", "tickets", "outbox")}
        db.close()

    lines = [f"Machine: {machine()}",
             f"Server: gunicorn {args.workers} workers × {args.worker_class} ({args.threads} threads if gthread), "
             "loopback; client: Python threads, http.client keep-alive, on the same cores. PostgreSQL: "
             + ("a throwaway cluster on the same cores (fsync off), its backends' CPU in the store CPU column"
                if postgres and postgres.pid else "the server --pg-url names (its CPU not measured)"
                if postgres else "not run"), "",
             table(["mode", "store", "clients", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms",
                    "server CPU ms/req", "store CPU ms/req", "client CPU ms/req"], rows), ""]
    cores = os.cpu_count() or 1
    for store in stores:
        for mode in ("wechat", "api"):
            mine, bare = results.get((mode, store, conc)), results.get(("echo", "", conc))
            if mine is None or bare is None:
                continue
            p99 = percentile(mine.latencies_ms, 99)
            lines.append(f"- {mode} on {STORE_NAMES[store]} at {conc} clients: {mine.rps / bare.rps:.2f} × echo's "
                         f"req/s, p99 {p99:.1f} ms (targets ≥ 0.35 ×, < 50 ms); CPU per request (server + client) "
                         f"{mine.cpu_ms:.2f} ms against echo's {bare.cpu_ms:.2f}: {cores} cores allow at most "
                         f"{cores * 1000 / mine.cpu_ms:,.0f} and {cores * 1000 / bare.cpu_ms:,.0f} req/s")
    for store, counts in stored.items():
        lines.append(f"- stored on {STORE_NAMES[store]} after the run: {counts['messages']:,} messages, "
                     f"{counts['tickets']:,} tickets, {counts['outbox']:,} outbox rows")
    text = "\n".join(lines)
    print()
    print(text)
    (RESULTS / "webhook.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
