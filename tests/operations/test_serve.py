"""`sandan serve` as an operator starts it: gunicorn with the scheduler in one worker, security headers on every
page, readiness and metrics; and never with the demo's public secrets."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

import pytest

from dispatch.store import connect
from tests.reliability.reliability_helpers import ROOT, Server, child_pids, config_file, free_port, poll_until


def test_serve_refuses_the_demo_secrets_naming_each_setting_and_variable(tmp_path: Path):
    config = config_file(tmp_path, demo_secrets=True)
    run = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "serve", "--config", str(config),
                          "--port", str(free_port())], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "拒绝启动：以下设置仍是演示用的公开值" in run.stderr
    for setting, variable in [("web.secret_key", "SANDAN_SECRET_KEY"), ("web.admin_password", "SANDAN_ADMIN_PASSWORD"),
                              ("web.api_key", "SANDAN_API_KEY"), ("wechat.token", "SANDAN_WECHAT_TOKEN"),
                              ("wechat.aes_key", "SANDAN_WECHAT_AES_KEY")]:
        assert setting in run.stderr and variable in run.stderr
    assert "sandan secrets" in run.stderr


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path: Path):
    config = config_file(tmp_path, dispatch={"scheduler_lease_seconds": 3}, ops={"workers": 2})
    srv = Server(config, free_port(), tmp_path / "server.log")
    srv.start()
    yield srv
    srv.stop()


def test_serve_runs_gunicorn_with_one_scheduler_headers_ready_and_metrics(server: Server, tmp_path: Path):
    workers = poll_until(lambda: len(w := child_pids(server.proc.pid)) == 2 and w, 30, "two gunicorn workers")
    ready = poll_until(lambda: get(server.port, "/ready")[0] == 200, 30, "/ready green with a scheduler leader")
    assert ready
    db = connect(tmp_path / "sandan.db")
    holder = db.execute("SELECT value FROM kv WHERE key = 'lease:scheduler'").fetchone()[0]
    assert int(holder.split(":")[1]) in workers     # the leader is one of the workers
    status, body = server.request("POST", "/api/messages", {"sender": "r1", "text": "广场花苑小区3栋的垃圾桶坏了",
                                                              "msg_id": "m1"}, "test-api-key")
    assert status == 200 and "工单号" in body["reply"]
    for path in ("/", "/health", "/chat", "/dashboard/login", "/open311/v2/services.json", "/nowhere"):
        _, headers, _ = get(server.port, path)
        assert headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path
    status, headers, text = get(server.port, "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    metrics = text.decode()
    assert 'sandan_messages_total{channel="api",outcome="filed"} 1.0' in metrics
    assert 'sandan_tickets{state="routed"} 1.0' in metrics
    assert "sandan_http_request_duration_seconds_bucket" in metrics and "sandan_outbox_backlog" in metrics
    get(server.port, "/wechat?signature=abc&timestamp=1&nonce=2&echostr=secret-echo")
    server.stop()
    log = server.log.read_text(errors="replace")
    assert "development server" not in log and "Booting worker" in log
    assert "secret-echo" not in log and "test-api-key" not in log and '"GET /wechat HTTP/1.1"' in log


def test_sandan_secrets_writes_fresh_private_values_that_pass(tmp_path: Path):
    from click.testing import CliRunner

    from bot.cli import cli
    from settings import demo_secrets, load_config

    target = tmp_path / "secrets.env"
    result = CliRunner().invoke(cli, ["secrets", "--output", str(target)], catch_exceptions=False)
    assert result.exit_code == 0 and oct(target.stat().st_mode & 0o777) == "0o600"
    values = dict(line.split("=", 1) for line in target.read_text().splitlines() if "=" in line and line[0] != "#")
    assert len(values["SANDAN_WECHAT_AES_KEY"]) == 43 and len(values["SANDAN_SECRET_KEY"]) >= 32
    values["SANDAN_WECHAT_APP_SECRET"] = "from-the-wechat-console"
    assert demo_secrets(load_config(ROOT / "config.yaml", environ=values).settings) == []
    again = CliRunner().invoke(cli, ["secrets", "--output", str(target)])
    assert again.exit_code == 1 and "--force" in again.output
