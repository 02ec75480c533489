"""/ready is red when the store cannot be written or the outbox is stuck, green otherwise; /health only says
the process answers; logs carry no secrets."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logs import Redactor, redact_logs
from dispatch import lease, outbox
from dispatch.clock import utcnow
from dispatch.store import connect
from dispatch.users import ensure_user
from tests import postgres_store


@pytest.fixture
def leader(app, db):
    """A scheduler holding the lease, as `sandan serve` or `sandan worker` would."""
    lease.hold(db, "test-leader", time.time(), 60)
    yield "test-leader"


def test_ready_is_green_with_a_writable_store_a_leader_and_a_moving_outbox(client, leader):
    r = client.get("/ready")
    assert r.status_code == 200
    assert r.get_json()["checks"]["scheduler"]["holder"] == "test-leader"
    assert client.get("/health").get_json() == {"ok": True}


def test_ready_is_red_without_a_scheduler(client, db):
    r = client.get("/ready")
    assert r.status_code == 503 and r.get_json()["checks"]["scheduler"]["ok"] is False


def test_ready_is_red_when_the_outbox_is_stuck(client, db, leader, services):
    now = utcnow()
    ensure_user(db, "wechat:oStuck", now)
    outbox.enqueue(db, "wechat:oStuck", "a push nobody delivers", now - timedelta(hours=1))
    db.conn.commit()
    r = client.get("/ready")
    assert r.status_code == 503
    checks = r.get_json()["checks"]
    assert checks["outbox"]["ok"] is False and checks["outbox"]["backlog"] == 1
    assert 3600 <= checks["outbox"]["oldest_due_seconds"] < 3660          # an hour, against a 15-minute limit
    assert checks["store"]["ok"] and checks["scheduler"]["ok"]


@pytest.mark.skipif(not shutil.which("mount"), reason="needs mount(8)")
@pytest.mark.skipif(postgres_store.ON_POSTGRES, reason="a read-only SQLite folder; PostgreSQL's files are the server's")
def test_ready_is_red_when_the_store_is_read_only(client, leader, services):
    folder = Path(services.config.settings.store.path).parent
    assert client.get("/ready").status_code == 200            # the request's pooled connection is open
    made = subprocess.run(f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}", shell=True,
                          capture_output=True, text=True)
    if made.returncode:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        pytest.skip(f"cannot mount here: {made.stderr.strip()}")
    try:
        r = client.get("/ready")
        assert r.status_code == 503
        store = r.get_json()["checks"]["store"]
        assert store["ok"] is False and "readonly" in store["error"]
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
    assert client.get("/ready").status_code == 200


def test_metrics_can_require_a_token(app, client):
    assert client.get("/metrics").status_code == 200
    services = app.config["SANDAN_SERVICES"]
    ops = services.config.settings.ops.model_copy(update={"metrics_token": "scrape-me"})
    settings = services.config.settings.model_copy(update={"ops": ops})
    app.config["SANDAN_SERVICES"] = type(services)(services.config.model_copy(update={"settings": settings}),
                                                   services.engine, services.knowledge)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_logs_hide_secrets_tokens_and_query_strings(services):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("sandan.test")
    logger.addHandler(handler)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact_logs(services.config)
        api_key = services.config.settings.web.api_key
        logger.warning("GET /cgi-bin/message/custom/send?access_token=ACCESS123&x=1 with X-Api-Key: %s", api_key)
        try:
            raise ConnectionError("HTTPSConnectionPool: /cgi-bin/token?grant_type=client_credential&secret=S3CRET")
        except ConnectionError:
            logger.exception("push failed for token %s", services.config.settings.wechat.token)
    finally:
        logger.removeHandler(handler)
        root.removeHandler(handler)
    text = out.getvalue()
    for secret in ("ACCESS123", api_key, "S3CRET", "client_credential", services.config.settings.wechat.token):
        assert secret not in text
    assert "/cgi-bin/message/custom/send?[redacted]" in text and "ConnectionError" in text


def test_the_redactor_keeps_ordinary_words():
    assert Redactor(["abcd1234"]).redact("工单 12 已办结 token count 3") == "工单 12 已办结 token count 3"
