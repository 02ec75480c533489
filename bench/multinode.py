"""Several machines on one PostgreSQL: two web servers, two workers, a steady stream of reports, and crashes.

One throwaway PostgreSQL cluster (scripts/postgres-throwaway.sh, unless --pg-url names one), the WeChat
stand-in in this process, two gunicorn web servers (`bot.wsgi:app`) on two ports and two `sandan worker`
processes, all on one store with photos kept in it (store.media: database). A small client sends --rate new
reports a second through the JSON API, round-robin over the two ports; a request that fails (connection
refused or reset, 5xx) is sent again, with the same msg_id, to the other port. The grid staff are bound as
WeChat followers, so every report's push to its grid goes through the stand-in, which records each send.

At 40% of the run one web server is killed with SIGKILL (master and worker), and started again 5 s later;
at 60% the worker that leads the scheduler is killed the same way, and started again 5 s later. After the
load, the outbox is given up to 60 s to drain. Then, from the store, the stand-in and the workers' logs:

- every accepted message (HTTP 200) is one row in messages with exactly one ticket, the one its reply named;
- every outbox row was delivered; pushes the stand-in received more than once are counted and reported;
- exactly one scheduler led at any moment (the "scheduler lead taken / given up" lines of dispatch/leader.py,
  and the kill time for a killed leader); the longest time without a leader is reported;
- nothing lost: no accepted message, ticket or push missing.

Usage:
    .venv/bin/python bench/multinode.py                 # 5 minutes at 20 reports/s
    .venv/bin/python bench/multinode.py --minutes 0.5   # the short variant
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from common import RESULTS, ROOT, machine, percentile, process_tree, table, wait_until_up, write_config

from dispatch.clock import iso, parse_iso, utcnow
from dispatch.lease import KEY as LEASE_KEY
from dispatch.store import connect, init_db
from dispatch.users import seed_staff
from settings import SECRET_ENV, load_config
from standin import Accounts, serve_in_thread

API_KEY = "multinode-api-key"
PROBLEMS = ["的垃圾桶坏了", "楼道灯不亮了", "门口下水道堵了", "楼道里堆满了杂物", "有人在楼道里给电动车充电",
            "单元门的门禁坏了", "门口的路面塌了一个坑", "绿化带里的树倒了"]
RETRY_FOR_SECONDS = 60
DRAIN_SECONDS = 180
KILL_WEB_AT, KILL_LEADER_AT, RESTART_AFTER = 0.4, 0.6, 5.0
CPU_WINDOW = 0.35    # CPU per report is measured over the first 35% of the run
LEAD_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*scheduler lead (taken|given up) by (\S+)")


@dataclass
class Sent:
    """One message as the client saw it."""

    n: int
    msg_id: str
    status: int = 0
    ticket: int | None = None
    attempts: int = 0
    latency_ms: float = 0.0
    errors: list[str] = field(default_factory=list)


class Process:
    """A server or worker started in its own process group, so SIGKILL takes its children too."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.cmd, self.env, self.log_path = name, cmd, env, log
        self.proc: subprocess.Popen | None = None
        self.killed_at: list[float] = []
        self.start()

    def start(self) -> None:
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self) -> None:
        self.killed_at.append(time.time())
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------- setting up


def start_postgres(folder: Path) -> tuple[str, Path]:
    pg_dir = folder / "pg"
    url = subprocess.run(["bash", "scripts/postgres-throwaway.sh", "start", str(pg_dir)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return url, pg_dir


def fresh_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return re.sub(r"/postgres(\?|$)", rf"/{name}\1", admin_url, count=1)


def deployment_with_wechat_staff(folder: Path) -> Path:
    """The demo deployment with its staff bound as WeChat followers, so their pushes go through the stand-in."""
    raw = yaml.safe_load((ROOT / "data" / "deployment.yaml").read_text(encoding="utf-8"))
    for person in raw.get("staff", []):
        person["user"] = "wechat:" + person["user"].split(":", 1)[1]
    path = folder / "deployment.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def secret_env(app_secret: str) -> dict[str, str]:
    """Fresh values for every secret the servers refuse at their demo value."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    env = {var: secrets.token_hex(16) for (section, _key), var in SECRET_ENV.items()
           if section not in ("store", "work_wechat")}
    env["SANDAN_WECHAT_AES_KEY"] = "".join(secrets.choice(letters) for _ in range(43))
    env.update({"SANDAN_API_KEY": API_KEY, "SANDAN_WECHAT_APP_SECRET": app_secret})
    return env


def report_texts(config, count: int, rng: random.Random) -> list[str]:
    estates = [p.name for c in config.deployment.communities for g in c.grids for p in g.places
               if p.name.endswith(("小区", "花园", "苑"))]
    return [f"{rng.choice(estates)}{rng.randint(1, 30)}栋{rng.choice(PROBLEMS)}" for _ in range(count)]


# ---------------------------------------------------------------- the load


def post(port: int, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/messages", body, {"Content-Type": "application/json", "X-Api-Key": API_KEY})
        res = conn.getresponse()
        data = res.read()
        return res.status, (json.loads(data) if res.status == 200 else {})
    finally:
        conn.close()


def send(sent: Sent, text: str, ports: list[int]) -> None:
    body = json.dumps({"sender": f"mn-{sent.n}", "text": text, "msg_id": sent.msg_id}).encode()
    started, port = time.perf_counter(), sent.n % len(ports)
    while time.perf_counter() - started < RETRY_FOR_SECONDS:
        sent.attempts += 1
        try:
            status, answer = post(ports[port], body)
        except (OSError, http.client.HTTPException) as e:
            status, answer = 0, {}
            sent.errors.append(type(e).__name__)
        if status == 200:
            sent.status, sent.ticket = 200, answer.get("ticket")
            sent.latency_ms = (time.perf_counter() - started) * 1000
            return
        if status:
            sent.errors.append(str(status))
        port = (port + 1) % len(ports)       # the other machine, as a load balancer would
        time.sleep(0.2)
    sent.status = -1


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, the children it has reaped (a PostgreSQL server's ended backends, a gunicorn
    master's old workers) and its live children."""
    total = 0
    for n, p in enumerate(process_tree(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if n == 0 else 0)
    return total / os.sysconf("SC_CLK_TCK")


def cpu_by_role(roles: dict[str, list[int]]) -> dict[str, float]:
    return {role: sum(tree_cpu(pid) for pid in pids) for role, pids in roles.items()}


def leader_pid(url: str) -> int | None:
    db = connect(url)
    try:
        row = db.execute("SELECT value FROM kv WHERE key = ?", [LEASE_KEY]).fetchone()
    finally:
        db.close()
    return int(row[0].split(":")[1]) if row else None


# ---------------------------------------------------------------- the checks


def lead_intervals(workers: list[Process], end: float) -> list[tuple[float, float, str]]:
    """(from, to, holder) for every time a worker led, from its log; a killed leader's lead ends at its kill,
    one still leading at the end of the run at ``end``."""
    intervals = []
    for w in workers:
        leading: dict[str, float] = {}
        for line in w.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            m = LEAD_LINE.match(line)
            if not m:
                continue
            at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if m.group(2) == "taken":
                leading[m.group(3)] = at
            elif m.group(3) in leading:
                intervals.append((leading.pop(m.group(3)), at, m.group(3)))
        for holder, at in leading.items():
            kills = [k for k in w.killed_at if k >= at]
            intervals.append((at, min(kills) if kills else end, holder))
    return sorted(intervals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long the load runs (default 5, at most 120)")
    parser.add_argument("--rate", type=float, default=20.0, help="new reports a second (default 20)")
    parser.add_argument("--pg-url", default="", help="a PostgreSQL server's postgres database to use instead "
                                                     "of a throwaway cluster")
    args = parser.parse_args()
    args.minutes = min(args.minutes, 120.0)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # the stand-in's access log

    folder = RESULTS / "multinode"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pg_dir = None
    admin_url = args.pg_url
    if not admin_url:
        admin_url, pg_dir = start_postgres(folder)
    procs: list[Process] = []
    server = None
    try:
        url = fresh_database(admin_url, "sandan_multinode")
        app_secret = secrets.token_hex(16)
        server, state, _ = serve_in_thread(Accounts("wx-multinode", app_secret))
        config_path = write_config(folder, {
            "deployment_file": str(deployment_with_wechat_staff(folder)),
            "store": {"url": url, "media": "database"},
            "wechat": {"app_id": "wx-multinode", "api_base_url": f"http://127.0.0.1:{server.server_port}/cgi-bin/"},
            "web": {"demo_chat": False},
        })
        env = {**os.environ, **secret_env(app_secret), "SANDAN_CONFIG": str(config_path), "PYTHONUNBUFFERED": "1"}
        config = load_config(config_path, environ=env)
        db = init_db(url)
        seed_staff(db, config.deployment, utcnow())
        db.close()

        bin_dir = Path(sys.executable).parent
        ports = [_free_port(), _free_port()]
        webs = [Process(f"web{i}", [str(bin_dir / "gunicorn"), "-w", "1", "-k", "gthread", "--threads", "4",
                                    "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bot.wsgi:app"],
                        env, folder / f"web{i}.log") for i, port in enumerate(ports)]
        workers = [Process(f"worker{i}", [str(bin_dir / "sandan"), "worker", "--config", str(config_path)], env,
                           folder / f"worker{i}.log") for i in range(2)]
        procs = webs + workers
        for port, web in zip(ports, webs):
            wait_until_up(port, web.proc)

        total = int(args.rate * args.minutes * 60)
        rng = random.Random(15)
        texts = report_texts(config, total, rng)
        run = secrets.token_hex(3)
        sent = [Sent(n, f"mn-{run}-{n}") for n in range(total)]
        events: list[str] = []

        def chaos(started: float, seconds: float) -> None:
            time.sleep(seconds * KILL_WEB_AT)
            webs[0].kill()
            events.append(f"{time.time() - started:6.1f} s  SIGKILL web0 (port {ports[0]})")
            time.sleep(RESTART_AFTER)
            webs[0].start()
            wait_until_up(ports[0], webs[0].proc)
            events.append(f"{time.time() - started:6.1f} s  web0 answers again")
            time.sleep(max(0.0, started + seconds * KILL_LEADER_AT - time.time()))
            pid = leader_pid(url)
            leader = next((w for w in workers if w.proc.pid == pid), None)
            if leader is None:
                events.append(f"{time.time() - started:6.1f} s  no worker leads (lease pid {pid})")
                return
            leader.kill()
            events.append(f"{time.time() - started:6.1f} s  SIGKILL {leader.name}, the leader (pid {pid})")
            time.sleep(RESTART_AFTER)
            leader.start()
            events.append(f"{time.time() - started:6.1f} s  {leader.name} started again")

        def roles() -> dict[str, list[int]]:
            postmaster = [int((pg_dir / "data" / "postmaster.pid").read_text().split()[0])] if pg_dir else []
            return {"web": [w.proc.pid for w in webs], "worker": [w.proc.pid for w in workers], "db": postmaster}

        started = time.time()
        seconds = total / args.rate
        cpu: dict[str, float] = {}

        def measure() -> None:    # CPU per report before the first kill: every process settled, none restarting
            before = cpu_by_role(roles())
            time.sleep(seconds * CPU_WINDOW)
            after = cpu_by_role(roles())
            cpu.update({role: (after[role] - before[role]) / (args.rate * seconds * CPU_WINDOW) * 1000
                        for role in before})

        threading.Thread(target=measure, daemon=True).start()
        chaos_thread = threading.Thread(target=chaos, args=(started, seconds), daemon=True)
        chaos_thread.start()
        with ThreadPoolExecutor(32) as pool:
            for s, text in zip(sent, texts):
                time.sleep(max(0.0, started + s.n / args.rate - time.time()))
                pool.submit(send, s, text, ports)
        load_seconds = time.time() - started
        chaos_thread.join()

        drain_deadline = time.time() + DRAIN_SECONDS
        db = connect(url)
        while time.time() < drain_deadline:
            if db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ?",
                          [iso(utcnow())]).fetchone()[0] == 0:
                break
            time.sleep(1)
        drained = time.time() - started - load_seconds
        end = time.time()
        report(args, db, config, sent, state, workers, webs, events, load_seconds, drained, end, cpu)
        db.close()
    finally:
        for p in procs:
            p.stop()
        if server is not None:
            server.shutdown()
        if pg_dir is not None:
            subprocess.run(["bash", "scripts/postgres-throwaway.sh", "stop", str(pg_dir)], cwd=ROOT,
                           capture_output=True)


def report(args, db, config, sent: list[Sent], state, workers, webs, events, load_seconds, drained, end,
           cpu: dict[str, float]) -> None:
    lines: list[str] = []

    def say(text: str) -> None:
        print(text)
        lines.append(text)

    accepted = {s.msg_id: s for s in sent if s.status == 200}
    rows = {r[0]: r[1] for r in db.execute(
        "SELECT channel_msg_id, ticket_id FROM messages WHERE channel = 'api' AND channel_msg_id LIKE 'mn-%'")}
    tickets = {r[0] for r in db.execute("SELECT id FROM tickets")}
    stored = sum(1 for m in accepted if m in rows)
    one_ticket = sum(1 for m, s in accepted.items() if rows.get(m) is not None and rows[m] in tickets
                     and rows[m] == s.ticket)
    filed = db.execute("SELECT count(*) FROM tickets WHERE reporter LIKE 'api:mn-%'").fetchone()[0]
    unsent, failed, pushes, later = db.execute(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ?), count(failed_at), "
        "count(*), count(*) FILTER (WHERE sent_at IS NULL AND due_at > ?) FROM outbox",
        [iso(utcnow()), iso(utcnow())]).fetchone()
    first_sent, last_sent = db.execute("SELECT min(sent_at), max(sent_at) FROM outbox WHERE recipient LIKE 'wechat:%'"
                                       ).fetchone()
    to_wechat = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND recipient LIKE 'wechat:%'"
                           ).fetchone()[0]
    by_worker = sorted(db.execute("SELECT split_part(claimed_by, '/', 1), count(*) FROM outbox "
                                  "WHERE sent_at IS NOT NULL AND claimed_by IS NOT NULL GROUP BY 1").fetchall())
    sent_again = sum(w.log_path.read_text(encoding="utf-8", errors="replace").count("possible duplicate")
                     for w in workers if w.log_path.exists())
    with state.lock:
        received = Counter((m["touser"], m["text"]) for m in state.sent)
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    intervals = lead_intervals(workers, end)
    overlaps = sum(1 for a, b in zip(intervals, intervals[1:]) if b[0] < a[1])
    gaps = [b[0] - a[1] for a, b in zip(intervals, intervals[1:])]
    retried = [s for s in sent if s.attempts > 1]
    latencies = [s.latency_ms for s in accepted.values()]

    say(f"\n## Multi-node: {args.minutes:g} min at {args.rate:g} reports/s\n")
    say(f"{machine()}\n")
    say("Two gunicorn web servers (1 worker × 4 threads each) on two ports, two `sandan worker`, one PostgreSQL "
          "(throwaway cluster, fsync off), the WeChat stand-in; photos in the store.\n")
    say("\n".join(f"- {e}" for e in events) + "\n")
    say(table(["what", "result"], [
        ["reports sent", len(sent)],
        ["accepted (HTTP 200)", len(accepted)],
        ["  of them after a retry on the other server", sum(1 for s in retried if s.status == 200)],
        ["never accepted (gave up after 60 s)", sum(1 for s in sent if s.status != 200)],
        ["accepted, stored once, with exactly the ticket its reply named", one_ticket],
        ["accepted but missing from the store", len(accepted) - stored],
        ["tickets filed (the rest joined one as a duplicate report)", filed],
        ["client latency p50 / p99 / max (ms), retries included",
         f"{percentile(latencies, 50):.0f} / {percentile(latencies, 99):.0f} / {max(latencies or [0]):.0f}"],
        ["outbox rows", pushes],
        ["  delivered to WeChat followers (the grid staff)", to_wechat],
        ["  undelivered after the drain / given up", f"{unsent} / {failed}"],
        ["  not due yet (reminders planned for later)", later],
        ["  drained in (s after the load)", f"{drained:.1f}"],
        ["  WeChat pushes per second, first to last", f"{to_wechat / max(1, _seconds(first_sent, last_sent)):.1f}"],
        ["  sent by each worker process (its sender threads)", " / ".join(str(n) for _, n in by_worker) or "-"],
        ["  sent again after a killed worker's claim ran out (logged)", sent_again],
        ["pushes the stand-in received more than once (duplicates)", duplicates],
        ["scheduler leads (from the workers' logs)", len(intervals)],
        ["moments with two leaders", overlaps],
        ["longest time without a leader (s)", f"{max(gaps or [0]):.1f}"],
        ["CPU ms per report before the kills: web / worker / PostgreSQL / all",
         " / ".join(f"{cpu.get(r, float('nan')):.2f}" for r in ("web", "worker", "db"))
         + f" / {sum(cpu.values()):.2f}"],
    ]))
    ok = (one_ticket == len(accepted) and stored == len(accepted) and unsent == 0 and failed == 0
          and overlaps == 0 and len(accepted) == len(sent))
    say(f"\nEvery report answered {load_seconds:.0f} s after the first was sent (planned {len(sent) / args.rate:.0f} s). Verdict: {'nothing lost' if ok else 'SOMETHING WRONG'}"
          f"{f', {duplicates} duplicate pushes' if duplicates else ', no duplicate push'}.")
    for a, b, h in intervals:
        say(f"  lead {h}: {b - a:7.1f} s")
    (RESULTS / "multinode.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _seconds(first: str | None, last: str | None) -> float:
    if not first or not last:
        return 0.0
    return (parse_iso(last) - parse_iso(first)).total_seconds()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
