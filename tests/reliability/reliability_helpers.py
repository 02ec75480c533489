"""Helpers for the reliability tests: raw posts to the JSON API, and row counts that show
nothing was half-written."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def config_file(folder: Path, **sections: dict[str, Any]) -> Path:
    """The shipped config.yaml, with its store in ``folder``, shared files read from the repository, and
    ``sections`` merged over it — for a server run as a separate process."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    shared = {k: str(ROOT / raw[k]) for k in ("deployment_file", "knowledge_file", "nlu_data_dir") if k in raw}
    merged = {**raw, **shared, "store": {"path": str(folder / "sandan.db"), "media_dir": str(folder / "media")}}
    merged["nlu"] = {**raw["nlu"], "model_path": str(ROOT / raw["nlu"]["model_path"])}
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
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
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


# Module-scoped stand-ins for tests/conftest.py's `services` and `app`: a test module that imports them
# shares one app and store (built by conftest.py's shared_* fixtures) across its tests.


@pytest.fixture(scope="module")
def services(shared_services):
    return shared_services


@pytest.fixture(scope="module")
def app(shared_app):
    return shared_app
