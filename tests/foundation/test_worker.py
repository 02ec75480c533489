"""The real APScheduler worker delivers queued pushes without anyone asking."""

from __future__ import annotations

import time

from bot.services import Services
from bot.worker import build_scheduler


def test_scheduler_delivers_the_outbox(services: Services, app, chat, db):
    dispatch = services.config.settings.dispatch.model_copy(update={"outbox_interval_seconds": 0.2})
    fast = Services(services.config.model_copy(update={"settings": services.config.settings.model_copy(
        update={"dispatch": dispatch})}), services.engine, services.knowledge)
    chat.say("rider-1", "广场花苑小区3栋的垃圾桶坏了")
    scheduler = build_scheduler(fast)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pending = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
            if pending == 0:
                break
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
    rows = list(db.query("SELECT recipient, sent_at, attempts FROM outbox"))
    assert rows and all(r["sent_at"] for r in rows)
    assert [r["recipient"] for r in rows] == ["api:sec-longxi-1"]
    assert all(r["attempts"] == 1 for r in rows)
