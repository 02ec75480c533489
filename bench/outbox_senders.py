"""Pushes a second with 1 and with 4 outbox senders, on SQLite and PostgreSQL, against the WeChat stand-in.

The WeChat stand-in (`python -m standin`) runs as a process of its own; the senders are threads of this process,
each with its own store connection, each running the loop every `sandan worker` sender thread runs
(dispatch/outbox.py ``deliver_due``: claim a batch, send it through the WeChat channel, mark each row sent;
idle, look again 50 ms later) until every push is out. A backlog of --pushes pushes, round-robin to the demo
deployment's grid staff (bound as WeChat followers) and --followers more followers, is queued first. ``--api-ms`` makes the stand-in answer each send that much later, as WeChat's real
API does (tens of milliseconds), where one sender waits and several overlap. Checks: the stand-in received
every push, none twice.

Usage:
    .venv/bin/python bench/outbox_senders.py                      # 600 pushes, 1 and 4 senders, 0 and 50 ms
    .venv/bin/python bench/outbox_senders.py --pushes 200 --api-ms 0
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from common import RESULTS, ROOT, machine, table, wait_until_up, write_config
from multinode import deployment_with_wechat_staff, fresh_database, secret_env, start_postgres, _free_port

from bot.channels import build_sender, channel_senders
from dispatch import outbox
from dispatch.clock import utcnow
from dispatch.store import connect, init_db
from dispatch.users import ensure_user, seed_staff
from settings import load_config


def standin_call(port: int, method: str, path: str, body: dict | None = None) -> object:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def queue(location: str, config, count: int, followers: int) -> int:
    """Fresh store with the staff seeded and ``count`` pushes queued round-robin to the WeChat staff and
    ``followers`` more WeChat followers (one person's pushes go one at a time, in order: the recipients bound
    how many are in flight)."""
    db = init_db(location)
    now = utcnow()
    seed_staff(db, config.deployment, now)
    for n in range(followers):
        ensure_user(db, f"wechat:oBench{n:04d}", now)
    staff = [r[0] for r in db.execute("SELECT id FROM users WHERE channel = 'wechat' ORDER BY id")]
    for n in range(count):
        outbox.enqueue(db, staff[n % len(staff)], f"【新工单】#{n} 测试推送", now, None, f"bench:{n}")
    db.close()
    return len(staff)


def run_senders(location: str, config, senders: int) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds for ``senders`` threads to send every due row."""
    send = build_sender(config, channel_senders(config))
    s = config.settings.dispatch
    barrier = threading.Barrier(senders + 1)

    def sender(n: int) -> None:   # as a worker's sender thread: deliver, and look again shortly when idle
        db = connect(location)
        barrier.wait()
        while db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL").fetchone()[0]:
            if not outbox.deliver_due(db, send, utcnow(), holder=f"bench/outbox-{n}", batch=s.outbox_batch,
                                      claim_seconds=s.outbox_claim_seconds):
                time.sleep(0.05)
        db.close()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for t in threads:
        t.start()
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pushes", type=int, default=600)
    parser.add_argument("--followers", type=int, default=100, help="WeChat followers besides the grid staff")
    parser.add_argument("--senders", default="1,4", help="sender counts to try (default 1,4)")
    parser.add_argument("--api-ms", default="0,50", help="the stand-in's extra answer time per send (default 0,50)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="", help="a PostgreSQL server's postgres database (else a throwaway)")
    args = parser.parse_args()

    folder = RESULTS / "outbox_senders"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    admin_url, pg_dir, standin = args.pg_url, None, None
    app_secret = secrets.token_hex(16)
    port = _free_port()
    rows = []
    try:
        if "postgresql" in args.stores and not admin_url:
            admin_url, pg_dir = start_postgres(folder)
        deployment = str(deployment_with_wechat_staff(folder))

        def config_for(run: str, store: dict) -> Path:
            return write_config(folder / run, {
                "deployment_file": deployment, "store": store, "web": {"demo_chat": False},
                "wechat": {"app_id": "wx-senders", "api_base_url": f"http://127.0.0.1:{port}/cgi-bin/"}})

        config_path = config_for("standin", {})
        env = {**os.environ, **secret_env(app_secret)}
        os.environ.update(secret_env(app_secret))
        standin = subprocess.Popen([sys.executable, "-m", "standin", "--config", str(config_path), "--port",
                                    str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        wait_until_up(port, standin)
        for store in args.stores.split(","):
            for api_ms in [float(x) for x in args.api_ms.split(",")]:
                for senders in [int(x) for x in args.senders.split(",")]:
                    name = f"senders_{senders}_{int(api_ms)}"
                    location = fresh_database(admin_url, name) if store == "postgresql" else str(folder / f"{name}.db")
                    config = load_config(config_for(name, {"url": location if store == "postgresql"
                                                           else f"sqlite:///{location}"}))
                    recipients = queue(location, config, args.pushes, args.followers)
                    standin_call(port, "DELETE", "/_standin/sent")
                    standin_call(port, "POST", "/_standin/faults", {"slow": api_ms / 1000, "count": 10**9}
                                 if api_ms else {"slow": 0, "count": 0})
                    wall, cpu = run_senders(location, config, senders)
                    received = Counter(json.dumps({k: v for k, v in m.items() if k != "at"}, sort_keys=True)
                                       for m in standin_call(port, "GET", "/_standin/sent"))
                    db = connect(location)
                    unsent, again = db.execute("SELECT count(*) FILTER (WHERE sent_at IS NULL), "
                                               "count(*) FILTER (WHERE attempts > 1) FROM outbox").fetchone()
                    db.close()
                    rows.append([store, f"{api_ms:g}", senders, recipients, args.pushes, sum(received.values()),
                                 sum(c - 1 for c in received.values()), again, unsent, round(wall, 1),
                                 args.pushes / wall, 1000 * cpu / args.pushes])
                    print(" | ".join(str(c) for c in rows[-1]), flush=True)
    finally:
        if standin:
            standin.terminate()
            standin.wait()
        if pg_dir:
            subprocess.run(["bash", "scripts/postgres-throwaway.sh", "stop", str(pg_dir)], cwd=ROOT)
    print("\n## Outbox senders\n")
    print(table(["store", "API ms", "senders", "recipients", "pushes", "received", "twice", "tried again", "unsent",
                 "seconds",
                 "pushes/s", "sender CPU ms/push"], rows))
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
