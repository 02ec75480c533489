"""The background worker: outbox delivery and the deadline scan, run by APScheduler.

Exactly one process runs it (`sandan serve` in-process, or `sandan worker` beside gunicorn): an
APScheduler job store cannot be shared between processes, and all state lives in the database.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot.channels import build_sender, channel_senders
from bot.conversation import Services
from dispatch import deadlines, outbox
from dispatch.clock import utcnow
from dispatch.store import connect

log = logging.getLogger(__name__)


def deliver_outbox(services: Services) -> int:
    config = services.config
    db = connect(config.path(config.settings.store.path))
    try:
        return outbox.deliver_due(db, build_sender(config, channel_senders(config)), utcnow())
    finally:
        db.close()


def fetch_media(services: Services) -> int:
    """Download photos that arrived as WeChat media ids (never inside the 5-second callback)."""
    from bot.channels.media import fetch_media as fetch

    config = services.config
    db = connect(config.path(config.settings.store.path))
    try:
        return fetch(config, db)
    finally:
        db.close()


def scan_deadlines(services: Services) -> dict[str, int]:
    config = services.config
    db = connect(config.path(config.settings.store.path))
    try:
        return deadlines.scan(db, config, utcnow())
    finally:
        db.close()


def build_scheduler(services: Services) -> BackgroundScheduler:
    settings = services.config.settings.dispatch
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    scheduler.add_job(deliver_outbox, "interval", seconds=settings.outbox_interval_seconds, args=[services],
                      id="outbox", replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(fetch_media, "interval", seconds=settings.outbox_interval_seconds, args=[services],
                      id="media", replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(scan_deadlines, "interval", seconds=settings.deadline_scan_seconds, args=[services],
                      id="deadlines", replace_existing=True, max_instances=1, coalesce=True)
    return scheduler
