"""Webhook throughput and latency: the bot's full pipeline against a bare wechatpy echo, same server.

Both apps run under gunicorn with the same settings (2 workers, gthread, 4 threads each, loopback).
Modes, each sequential (1 client) and concurrent (8 clients, keep-alive connections):

- echo      bench/echo_app.py: verify, decrypt, parse, encrypt a reply — the protocol alone
- wechat    the bot's /wechat in safe mode: verify, decrypt, NLU, store (message, ticket, events),
            reply, outbox rows for the grid — every message a new report with its own MsgId
- api       the bot's JSON API /api/messages with the same texts (no crypto)

Requests are signed and encrypted before the clock starts, so the client measures the server.
Target: the bot's /wechat at least 0.5 of echo's requests/s, p99 under 50 ms.

Usage:
    .venv/bin/python bench/webhook.py                  # 400 sequential, 2,000 concurrent per mode
    .venv/bin/python bench/webhook.py --requests 500 --modes echo,wechat
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


# ---------------------------------------------------------------- main


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
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "postgresql"],
                        help="postgresql: a throwaway cluster on this machine (scripts/postgres-throwaway.sh)")
    args = parser.parse_args()
    modes = args.modes.split(",")
    workers = args.workers

    cluster = tempfile.mkdtemp(prefix="sandan-pg.") if args.store == "postgresql" else ""
    url = subprocess.run(["bash", str(ROOT / "scripts/postgres-throwaway.sh"), "start", cluster], check=True,
                         capture_output=True, text=True).stdout.strip() if cluster else ""
    try:
        bench(args, modes, workers, url)
    finally:
        if cluster:
            subprocess.run(["bash", str(ROOT / "scripts/postgres-throwaway.sh"), "stop", cluster])
            shutil.rmtree(cluster, ignore_errors=True)


def bench(args: argparse.Namespace, modes: list[str], workers: int, url: str) -> None:
    folder, config_path, config = fresh_store("webhook", url)

    rng = random.Random(3)
    total = args.sequential + args.requests + 40
    texts = report_texts(config, total, rng)
    print(f"signing {total * 2:,} requests…", flush=True)
    wechat = wechat_requests(config, texts, 0)
    api = api_requests(texts, 1000)

    bot = Gunicorn(f"bot.app:create_app({str(config_path)!r})", free_port(), folder / "gunicorn-bot.log",
                   worker_class=args.worker_class, workers=workers, threads=args.threads)
    echo = Gunicorn(f"echo_app:create_echo_app({str(config_path)!r})", free_port(), folder / "gunicorn-echo.log",
                    pythonpath=str(ROOT / "bench"), worker_class=args.worker_class,
                    workers=workers, threads=args.threads)
    rows, results = [], {}
    try:
        bot.wait()
        echo.wait()
        for mode in modes:
            server, reqs = {"echo": (echo, wechat), "wechat": (bot, wechat), "api": (bot, api)}[mode]
            port = server.port
            # echo replays the same signed messages; the bot gets fresh ones (a replay would be a dedup hit)
            run(port, reqs[-40:], 4)                                              # warm-up
            for label, conc, batch in (("sequential", 1, reqs[:args.sequential]),
                                       (f"{args.concurrency} concurrent", args.concurrency,
                                        reqs[args.sequential:args.sequential + args.requests])):
                r = run(port, batch, conc, server.proc.pid)
                results[(mode, conc)] = r
                rows.append([mode, label, len(r.latencies_ms), len(r.errors), r.rps,
                             percentile(r.latencies_ms, 50), percentile(r.latencies_ms, 99), max(r.latencies_ms),
                             r.server_cpu_ms, r.client_cpu_ms])
                print(f"{mode:7} {label:13} {r.rps:8.0f} req/s  p50 {rows[-1][5]:.1f} ms  p99 {rows[-1][6]:.1f} ms"
                      f"  server CPU {r.server_cpu_ms:.2f} ms/req  errors {len(r.errors)}", flush=True)
                if r.errors:
                    print("   first errors:", r.errors[:3])
    finally:
        bot.stop()
        echo.stop()

    db = connect(url or folder / "sandan.db")
    stored = {k: db.execute(f"SELECT count(*) FROM {k}").fetchone()[0] for k in ("messages", "tickets", "outbox")}
    db.close()
    lines = [f"Machine: {machine()}",
             f"Store: {'PostgreSQL (throwaway cluster on the same cores; its CPU is not in server CPU)' if url else 'SQLite'}",
             f"Server: gunicorn {workers} workers × {args.worker_class} ({args.threads} threads if gthread), loopback; client: Python threads, "
             "http.client keep-alive, on the same 2 cores", "",
             table(["mode", "clients", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms",
                    "server CPU ms/req", "client CPU ms/req"], rows), ""]
    conc = args.concurrency
    if ("echo", conc) in results:
        for mode in ("wechat", "api"):
            if (mode, conc) in results:
                ratio = results[(mode, conc)].rps / results[("echo", conc)].rps
                p99 = percentile(results[(mode, conc)].latencies_ms, 99)
                lines.append(f"- {mode} at {conc} concurrent: {ratio:.2f} × echo's req/s (target ≥ 0.5), "
                             f"p99 {p99:.1f} ms (target < 50 ms)")
                mine, bare = results[(mode, conc)], results[("echo", conc)]
                cores = os.cpu_count() or 1
                lines.append(f"  CPU per request (server + client): {mode} {mine.cpu_ms:.2f} ms, "
                             f"echo {bare.cpu_ms:.2f} ms; {cores} cores allow at most "
                             f"{cores * 1000 / mine.cpu_ms:,.0f} and {cores * 1000 / bare.cpu_ms:,.0f} req/s")
    lines.append(f"- stored after the run: {stored['messages']:,} messages, {stored['tickets']:,} tickets, "
                 f"{stored['outbox']:,} outbox rows")
    text = "\n".join(lines)
    print()
    print(text)
    (RESULTS / f"webhook{'-postgresql' if url else ''}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
