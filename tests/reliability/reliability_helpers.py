"""Helpers for the reliability tests: raw posts to the JSON API, and row counts that show
nothing was half-written; servers in their own processes (`sandan serve`, gunicorn) for kill -9, and a
gunicorn hook that freezes one request so a kill lands mid-request."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import parse_qs, urlencode

import pytest
import yaml


def counts(db) -> dict[str, int]:
    """Rows in the tables a message can write to."""
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]   # table names are ours
            for t in ("messages", "tickets", "ticket_events", "outbox")}


class Api:
    """The JSON API as a client sees it: status code and JSON body, for any bytes we care to send."""

    def __init__(self, client, key: str) -> None:
        self.client, self.key = client, key

    def post(self, data: bytes | str | None = None, json: Any = None, key: str | None = "",
             content_type: str = "application/json") -> tuple[int, dict[str, Any] | None]:
        """Post to /api/messages; key "" means the right key, None means no header at all."""
        key = self.key if key == "" else key
        headers = {"X-Api-Key": key} if key is not None else {}
        if json is not None:
            r = self.client.post("/api/messages", json=json, headers=headers)
        else:
            r = self.client.post("/api/messages", data=data, headers=headers, content_type=content_type)
        return r.status_code, r.get_json(silent=True)


ROOT = Path(__file__).resolve().parents[2]


#: Secrets of their own for servers the tests start as processes: the demo's are refused outside `sandan demo`.
TEST_SECRETS = {
    "web": {"secret_key": "test-secret-key-for-a-test-server", "admin_password": "test-admin-password",
            "api_key": "test-api-key"},
    "wechat": {"token": "testtoken", "app_secret": "test-app-secret",
               "aes_key": "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"},
}


def config_file(folder: Path, demo_secrets: bool = False, **sections: dict[str, Any]) -> Path:
    """The shipped config.yaml, with its store in ``folder``, shared files read from the repository, test
    secrets (unless ``demo_secrets``), and ``sections`` merged over it — for a server run as a separate process."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    shared = {k: str(ROOT / raw[k]) for k in ("deployment_file", "knowledge_file", "nlu_data_dir") if k in raw}
    merged = {**raw, **shared, "store": {"path": str(folder / "sandan.db"), "media_dir": str(folder / "media")}}
    merged["nlu"] = {**raw["nlu"], "model_path": str(ROOT / raw["nlu"]["model_path"])}
    for name, values in ({} if demo_secrets else TEST_SECRETS).items():
        merged[name] = {**merged.get(name, {}), **values}
    for name, values in sections.items():
        merged[name] = {**merged.get(name, {}), **values}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(merged, allow_unicode=True), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`sandan serve` in its own process, so a test can kill -9 it and start it again."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--config", str(self.config),
                 "--port", str(self.port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"server not up after {timeout} s")

    def kill9(self) -> None:
        """kill -9 of the whole server, its workers too (as systemd's KillMode=control-group would)."""
        assert self.proc is not None
        workers = child_pids(self.proc.pid)
        self.proc.send_signal(signal.SIGKILL)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def request(self, method: str, path: str, body: Any = None, key: str = "",
                timeout: float = 10) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json", "X-Api-Key": key})
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"null")
        finally:
            conn.close()


T = TypeVar("T")


def poll_until(check: Callable[[], T], timeout: float, what: str) -> T:
    """The first truthy value of ``check()``, asked every 20 ms; fails naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not so after {timeout} s")
        time.sleep(0.02)
    return value


def child_pids(pid: int) -> set[int]:
    """The live (not zombie) children of a process, read from /proc: a gunicorn master's workers."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]   # after "pid (comm)"
        except (OSError, IndexError, ValueError):
            continue                 # the process ended while we looked
        if int(ppid) == pid and state != "Z":
            children.add(int(stat.parent.name))
    return children


class Gunicorn(Server):
    """`bot.wsgi:app` under gunicorn as deployed (gthread workers, --preload), so a test can kill -9 one worker.

    :param hooks: a gunicorn config file (server hooks), e.g. one that installs :class:`HoldOnce`.
    """

    def __init__(self, config: Path, port: int, log: Path, hooks: Path | None = None, workers: int = 2) -> None:
        super().__init__(config, port, log)
        self.hooks, self.count = hooks, workers

    def start(self, timeout: float = 60) -> None:
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(self.count), "-k", "gthread", "--threads",
               "4", "-b", f"127.0.0.1:{self.port}", "--preload", "--graceful-timeout", "2",
               "--no-control-socket"]   # the default control socket is one path shared by every gunicorn
        if self.hooks:
            cmd += ["-c", str(self.hooks)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd + ["bot.wsgi:app"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, "SANDAN_CONFIG": str(self.config)})
        poll_until(lambda: self.healthy() and len(self.workers()) == self.count, timeout,
                   f"gunicorn answering /health with {self.count} workers")

    def healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log.read_text(errors='replace')[-2000:]}")
        try:
            return self.request("GET", "/health", timeout=2)[0] == 200
        except OSError:
            return False

    def workers(self) -> set[int]:
        assert self.proc is not None
        return child_pids(self.proc.pid)


class Wire:
    """A `standin.client` transport: one HTTP connection per request, like WeChat's servers, and a call
    (``on_sent``) once the request has left, when it is in flight until its answer comes."""

    def __init__(self, port: int, timeout: float = 5, on_sent: Callable[[], None] = lambda: None) -> None:
        self.port, self.timeout, self.on_sent = port, timeout, on_sent

    def request(self, method: str, path: str, params: dict[str, str], body: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, f"{path}?{urlencode(params)}", body=body.encode("utf-8"),
                         headers={"Content-Type": "text/xml"})
            self.on_sent()
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8")
        finally:
            conn.close()


class HoldOnce:
    """A gunicorn ``post_worker_init`` hook: the first request from one WeChat user stops at a chosen point
    and waits there, so a test can kill -9 its worker while that request is certainly in flight.

    :param at: ``"transaction"``: its ticket written but not committed (the store's write lock held, so
        every other message waits too); ``"reply"``: committed, the reply not yet sent.
    :param marker: the file the frozen worker writes its pid to. Only the first request to get there creates
        it, whichever worker or respawn it reaches, so WeChat's retry of the message goes through.
    """

    def __init__(self, openid: str, at: str, marker: str) -> None:
        assert at in ("transaction", "reply"), at
        self.openid, self.at, self.marker = openid, at, marker

    def __call__(self, worker: Any) -> None:
        mine = threading.local()
        app = worker.wsgi

        def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            mine.held = parse_qs(environ.get("QUERY_STRING", "")).get("openid") == [self.openid]
            result = app(environ, start_response)
            try:
                body = list(result)                  # the whole reply, ready to send
            finally:
                getattr(result, "close", lambda: None)()
            if mine.held and self.at == "reply":
                self.hold()
            return body

        worker.wsgi = wsgi
        if self.at == "transaction":
            from dispatch import tickets

            create = tickets.create_ticket

            def create_then_hold(*args: Any, **kwargs: Any) -> Any:
                created = create(*args, **kwargs)
                if mine.held:
                    self.hold()
                return created

            tickets.create_ticket = create_then_hold

    def hold(self) -> None:
        draft = Path(f"{self.marker}.{os.getpid()}.{threading.get_ident()}")
        draft.write_text(str(os.getpid()))
        try:
            os.link(draft, self.marker)           # atomic, and refused once any request has held
        except FileExistsError:
            return
        finally:
            draft.unlink()
        threading.Event().wait(60)                # until the test kills this process


# Module-scoped stand-ins for tests/conftest.py's `services` and `app`: a test module that imports them
# shares one app and store (built by conftest.py's shared_* fixtures) across its tests.


@pytest.fixture(scope="module")
def services(shared_services):
    return shared_services


@pytest.fixture(scope="module")
def app(shared_app):
    return shared_app
