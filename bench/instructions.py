"""Work per /wechat report that does not depend on the machine's load: instructions (callgrind) and SQL statements.

- instructions: a gunicorn worker (1 worker, 1 thread, the bench's app) runs under valgrind's callgrind with
  instrumentation off; after a warm-up it is switched on (callgrind_control) around N sequential requests,
  so the count is the worker's whole handling of those requests (HTTP, Flask, the bot) and nothing else.
- statements: the same reports in-process, every statement the store's SQLite connections execute counted.

The same for the bare wechatpy echo (``--mode echo``) or /api/messages (``--mode api``). ``--root`` measures
another checkout of Sandan with this virtualenv (an older commit: ``git worktree add /tmp/old <commit>``).

Usage:
    .venv/bin/python bench/instructions.py                        # /wechat, 100 reports (about 2 minutes)
    .venv/bin/python bench/instructions.py --mode echo --requests 200
    .venv/bin/python bench/instructions.py --root /tmp/old --no-statements
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["wechat", "api", "echo"], default="wechat")
    parser.add_argument("--requests", type=int, default=100, help="requests counted (default 100)")
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout to measure (default this one)")
    parser.add_argument("--no-statements", action="store_true", help="skip the in-process statement count")
    return parser.parse_args()


args = parse_args()
ROOT = Path(args.root).resolve()
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]     # the measured checkout's code, this virtualenv's packages
os.chdir(ROOT)

import webhook  # noqa: E402  (from the measured checkout)
from common import wait_until_up  # noqa: E402

WARM_UP = 40


def requests_for(config, mode: str, count: int) -> list:
    texts = webhook.report_texts(config, count, random.Random(3))
    return webhook.api_requests(texts, 0) if mode == "api" else webhook.wechat_requests(config, texts, 0)


def instructions(mode: str, n: int) -> float:
    """Instructions per request in the gunicorn worker, millions."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    folder, config_path, config = webhook.fresh_store(f"instructions-{mode}")
    reqs = requests_for(config, mode, n + WARM_UP)
    app = (f"echo_app:create_echo_app({str(config_path)!r})" if mode == "echo"
           else f"bot.app:create_app({str(config_path)!r})")
    out = tempfile.mkdtemp(prefix="sandan-callgrind.")
    port = webhook.free_port()
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--trace-children=yes",
           f"--callgrind-out-file={out}/callgrind.%p", sys.executable, str(Path(sys.executable).parent / "gunicorn"),
           "-w", "1", "-k", "gthread", "--threads", "1", "-b", f"127.0.0.1:{port}", "--timeout", "600",
           "--log-level", "warning", "--no-control-socket", "--access-logfile", "/dev/null",
           "--pythonpath", str(ROOT / "bench"), app]
    with open(folder / "valgrind.log", "wb") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(port, server, timeout=900)
            webhook.run(port, reqs[:WARM_UP], 1)
            workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            for w in workers:
                subprocess.run(["callgrind_control", "-i", "on", w], capture_output=True, check=True)
            result = webhook.run(port, reqs[WARM_UP:], 1)
            for w in workers:
                subprocess.run(["callgrind_control", "-i", "off", w], capture_output=True, check=True)
            if result.errors:
                sys.exit(f"errors: {result.errors[:3]}")
        finally:
            server.terminate()
            server.wait(120)
    total = 0
    for w in workers:
        for name in glob.glob(f"{out}/callgrind.{w}*"):
            total += next(int(line.split()[1]) for line in open(name) if line.startswith("totals:"))
    shutil.rmtree(out, ignore_errors=True)
    return total / n / 1e6


def statements(mode: str, n: int) -> float:
    """SQL statements per request in-process (the app's SQLite connections)."""
    import sqlite3

    counted = [0]

    class Counting(sqlite3.Connection):
        def execute(self, *a, **k):
            counted[0] += 1
            return super().execute(*a, **k)

        def executemany(self, *a, **k):
            counted[0] += 1
            return super().executemany(*a, **k)

    import dispatch.store as store

    plain = sqlite3.connect
    store.sqlite3 = type(sys)("sqlite3_counting")
    store.sqlite3.__dict__.update(sqlite3.__dict__)
    store.sqlite3.connect = lambda *a, **k: plain(*a, **{**k, "factory": Counting})
    from bot.app import create_app

    folder, config_path, config = webhook.fresh_store(f"statements-{mode}")
    client = create_app(str(config_path)).test_client()
    reqs = requests_for(config, mode, n + WARM_UP)
    for r in reqs[:WARM_UP]:
        client.post(r.path, data=r.body, headers=r.headers)
    counted[0] = 0
    for r in reqs[WARM_UP:]:
        client.post(r.path, data=r.body, headers=r.headers)
    return counted[0] / n


def main() -> None:
    where = f"{ROOT.name} ({subprocess.run(['git', 'log', '-1', '--format=%h', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip() or 'not a git checkout'})"
    line = f"{where} {args.mode}: {instructions(args.mode, args.requests):.2f} M instructions per request in the worker"
    if args.mode != "echo" and not args.no_statements:
        line += f", {statements(args.mode, args.requests):.1f} SQL statements per request"
    print(f"{line} ({args.requests} requests)")


if __name__ == "__main__":
    main()
