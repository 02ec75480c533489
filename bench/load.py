"""Load: a steady 20 messages a second for N minutes, loopback only, bounded.

Starts its own `sandan serve` (web and scheduler in one process, a fresh store in bench/results/load/)
unless --url, --db and --pid point at a running one. Every message is a new report sent to /wechat in
safe mode (or --channel api). Reports, per minute: messages sent, errors, latency, the server's RSS;
at the end: lost messages (sent and answered, but no row in the messages table) and pending pushes.

Usage:
    .venv/bin/python bench/load.py                       # 20 msg/s for 10 minutes
    .venv/bin/python bench/load.py --minutes 1 --rate 20
    .venv/bin/python bench/load.py --url http://127.0.0.1:8800 --db var/sandan.db --pid 1234 --channel api
"""

from __future__ import annotations

import argparse
import http.client
import queue
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from common import RESULTS, ROOT, machine, percentile, process_tree, table, wait_until_up
from webhook import Request, api_requests, free_port, fresh_store, report_texts, wechat_requests

from dispatch.store import connect
from settings import load_config

MAX_MINUTES = 120   # bounded, whatever is asked
CHUNK = 500         # messages signed at a time, as they come due (one round of the 500 senders)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn workers), in MB."""
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sender:
    """A few threads with keep-alive connections; requests are handed out on a fixed clock."""

    def __init__(self, host: str, port: int, threads: int = 6) -> None:
        self.host, self.port = host, port
        self.jobs: queue.Queue[tuple[float, Request] | None] = queue.Queue()
        self.done: list[tuple[float, float, str]] = []   # (sent at, latency ms, error or "")
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def _work(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        while (job := self.jobs.get()) is not None:
            at, r = job
            start = time.perf_counter()
            error = ""
            try:
                conn.request("POST", r.path, body=r.body, headers=r.headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200 or not data:
                    error = f"{resp.status}"
            except (OSError, http.client.HTTPException) as e:
                error = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            with self.lock:
                self.done.append((at, (time.perf_counter() - start) * 1000, error))

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for t in self.threads:
            t.join(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="messages per second (at most 200)")
    parser.add_argument("--channel", choices=["wechat", "api"], default="wechat")
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--db", help="with --url: its database file, to count stored messages")
    parser.add_argument("--pid", type=int, help="with --url: its process id, for memory")
    parser.add_argument("--config", default=str(ROOT / "config.yaml"), help="with --url: its config.yaml")
    args = parser.parse_args()
    minutes, rate = min(args.minutes, MAX_MINUTES), min(args.rate, 200)
    total = int(minutes * 60 * rate)

    server = None
    if args.url:
        url = urlparse(args.url)
        if url.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("load.py only sends to loopback")
        host, port, db_path, pid = url.hostname, url.port or 80, Path(args.db), args.pid
        config = load_config(args.config)
    else:
        folder, config_path, config = fresh_store("load")
        host, port, db_path = "127.0.0.1", free_port(), folder / "sandan.db"
        log = open(folder / "server.log", "ab")
        server = subprocess.Popen([sys.executable, "-c", "from bot.cli import main; main()", "serve", "--config",
                                   str(config_path), "--port", str(port)], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
        pid = server.pid
        wait_until_up(port, server)

    texts = report_texts(config, total, random.Random(5))
    first = int(time.time()) % 100000 * 1000

    def requests_from(i: int) -> list[Request]:
        """Messages i… signed now: the bot refuses a WeChat signature more than five minutes old."""
        chunk = texts[i:i + CHUNK]
        return wechat_requests(config, chunk, first) if args.channel == "wechat" else api_requests(chunk, first + i)

    print(f"{total:,} messages at {rate:g}/s for {minutes:g} min to {args.channel}; server pid {pid}", flush=True)

    sender = Sender(host, port)
    memory: list[tuple[float, float]] = [(0.0, rss_mb(pid) if pid else 0.0)]
    start = time.monotonic()
    batch: list[Request] = []
    for i in range(total):   # a fixed clock: message i leaves at start + i / rate
        if i % CHUNK == 0:
            batch = requests_from(i)
        r = batch[i % CHUNK]
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sender.jobs.put((time.monotonic() - start, r))
        if pid and time.monotonic() - start - memory[-1][0] >= 30:
            memory.append((time.monotonic() - start, rss_mb(pid)))
    while len(sender.done) < total and time.monotonic() - start < minutes * 60 + 60:
        time.sleep(0.2)
    sender.close()
    memory.append((time.monotonic() - start, rss_mb(pid) if pid else 0.0))
    time.sleep(3)   # the scheduler's next outbox pass

    db = connect(db_path)
    stored = db.execute("SELECT count(*) FROM messages WHERE channel = ?", [args.channel]).fetchone()[0]
    pending = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    tickets = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    db.close()
    if server is not None:
        server.terminate()
        server.wait(20)

    rows = []
    for minute in range(int(-(-minutes // 1))):
        batch = [d for d in sender.done if minute * 60 <= d[0] < (minute + 1) * 60]
        ok = [d[1] for d in batch if not d[2]]
        rss = [m for t, m in memory if t <= (minute + 1) * 60]
        rows.append([minute + 1, len(batch), len(batch) - len(ok), percentile(ok, 50), percentile(ok, 99),
                     max(ok) if ok else float("nan"), rss[-1] if rss else float("nan")])
    errors = [d[2] for d in sender.done if d[2]]
    answered = len(sender.done) - len(errors)
    lines = [f"Machine: {machine()}", f"Server: sandan serve (one process, web + scheduler); {args.channel}; "
             f"{rate:g} msg/s for {minutes:g} min", "",
             table(["minute", "sent", "errors", "p50 ms", "p99 ms", "max ms", "RSS MB"], rows), "",
             f"- sent {total:,}, answered {answered:,}, errors {len(errors):,} {sorted(set(errors))[:5]}",
             f"- stored messages {stored:,} (lost: {max(0, answered - stored):,}), tickets {tickets:,}, "
             f"pushes still pending {pending:,}",
             f"- RSS {memory[0][1]:,.0f} MB at start → {memory[-1][1]:,.0f} MB at the end "
             f"(samples every 30 s: {', '.join(f'{m:.0f}' for _, m in memory)})"]
    text = "\n".join(lines)
    print(text)
    (RESULTS / "load.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
