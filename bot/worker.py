"""The background worker: outbox delivery and the deadline scan, run by APScheduler.

Any number of processes run it (`sandan serve` in-process, or `sandan worker` beside gunicorn, on any
machine); all state lives in the database. Every job but the outbox first makes sure this process leads
(dispatch/leader.py), so only one of them runs those; another takes over as soon as the leader stops or
dies. The outbox is sent by ``dispatch.outbox_senders`` threads in every worker, leader or not, each
claiming rows of its own (dispatch/outbox.py).
"""

from __future__ import annotations

import atexit
import functools
import logging
import time
from typing import Any, Callable

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.channels import build_sender, channel_senders
from bot import points_jobs
from bot.services import Services, with_store
from dispatch import backup, deadlines, digests, followups, health, lease, outbox, recurring, tickets
from dispatch.leader import Leader
from dispatch.store import location as store_location

log = logging.getLogger(__name__)


def deliver_outbox(services: Services, holder: str = "sender") -> int:
    """Send what is due, claimed for the sender ``holder``: emergencies' pushes first (the deployment's most
    urgent level), each row tried a bounded number of times. Every sender thread of every worker runs this."""
    def deliver(db: Any, config: Any, now: Any) -> int:
        urgency = config.deployment.urgency
        s = config.settings.dispatch
        return outbox.deliver_due(db, build_sender(config, channel_senders(config)), now,
                                  urgent_level=urgency[0].name if urgency else None,
                                  max_attempts=s.outbox_max_attempts, holder=holder, batch=s.outbox_batch,
                                  claim_seconds=s.outbox_claim_seconds)
    return with_store(services, deliver)


def fetch_media(services: Services) -> int:
    """Download photos that arrived as WeChat media ids (never inside the 5-second callback)."""
    from bot.channels.media import fetch_media as fetch

    return with_store(services, lambda db, config, _now: fetch(config, db))


def drain_spool(services: Services) -> int:
    """Handle WeChat messages kept while the store was too busy to answer them in time."""
    from bot import spool

    return spool.drain(services)


def scan_deadlines(services: Services) -> dict[str, int]:
    """The deadline scan, timed: /metrics reports how long the last one took."""
    def timed(db, config, now):   # noqa: ANN001, ANN202
        started = time.perf_counter()
        counts = deadlines.scan(db, config, now)
        health.record_scan(db, time.perf_counter() - started, time.time())
        return counts
    return with_store(services, timed)


def send_daily_digest(services: Services) -> int:
    return with_store(services, digests.daily_digest)


def send_weekly_summary(services: Services) -> int:
    return with_store(services, digests.weekly_summary)


def tell_recurring(services: Services) -> int:
    return with_store(services, recurring.notify_new)


def close_unrated(services: Services) -> int:
    return with_store(services, tickets.close_unrated)


def remind_unrated(services: Services) -> int:
    return with_store(services, followups.remind_unrated)


def daily_backup(services: Services) -> str:
    """Back up into ops.backup_dir and keep the newest ops.backup_keep archives."""
    config = services.config
    s = config.settings
    folder = config.path(s.ops.backup_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = backup.backup(store_location(config), config.path(s.store.media_dir), folder)
    backup.prune(folder, s.ops.backup_keep)
    log.info("daily backup written: %s", written)
    return str(written)


def add_dispatch_jobs(scheduler: BackgroundScheduler, services: Services) -> None:
    """Digests at the configured local times; the unrated-ticket sweep hourly."""
    s = services.config.settings.dispatch
    hour, minute = s.daily_digest_at.split(":")
    scheduler.add_job(send_daily_digest, CronTrigger(hour=int(hour), minute=int(minute), timezone=s.timezone),
                      args=[services], id="daily_digest", replace_existing=True, coalesce=True, misfire_grace_time=3600)
    day, at = s.weekly_summary_at.split()
    hour, minute = at.split(":")
    scheduler.add_job(send_weekly_summary, CronTrigger(day_of_week=day, hour=int(hour), minute=int(minute),
                                                       timezone=s.timezone),
                      args=[services], id="weekly_summary", replace_existing=True, coalesce=True,
                      misfire_grace_time=3600)
    if services.config.settings.ops.backup_keep:
        hour, minute = services.config.settings.ops.backup_at.split(":")
        scheduler.add_job(daily_backup, CronTrigger(hour=int(hour), minute=int(minute), timezone=s.timezone),
                          args=[services], id="daily_backup", replace_existing=True, coalesce=True,
                          misfire_grace_time=3600)
    scheduler.add_job(close_unrated, "interval", hours=1, args=[services], id="close_unrated",
                      replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(remind_unrated, "interval", hours=1, args=[services], id="remind_unrated",
                      replace_existing=True, max_instances=1, coalesce=True)
    hour, minute = s.daily_digest_at.split(":")     # 高频问题 with the morning digest
    scheduler.add_job(tell_recurring, CronTrigger(hour=int(hour), minute=int(minute), timezone=s.timezone),
                      args=[services], id="recurring_problems", replace_existing=True, coalesce=True,
                      misfire_grace_time=3600)


def leased(fn: Callable[..., Any], services: Services, leader: Leader) -> Callable[..., Any]:
    """Run a job only while this scheduler leads, so two schedulers never both run jobs."""
    waiting = []     # a scheduler that waits says so once, naming the holder, then again when it takes over

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        def take(db: Any, _config: Any, _now: Any) -> tuple[bool, Any]:
            held = leader.hold(db, time.time())
            return held, None if held else lease.holder_of(db)
        held, other = with_store(services, take)
        if not held:
            if not waiting:
                who, until = other or ("?", 0.0)
                log.warning("job %s waits: scheduler %s holds the lease until %s UTC", fn.__name__, who,
                            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(until)))
                waiting.append(True)
            return None
        if waiting:
            log.warning("job %s runs again: this scheduler holds the lease now", fn.__name__)
            waiting.clear()
        return fn(*args, **kwargs)
    return run


def add_senders(scheduler: BackgroundScheduler, services: Services, holder: str) -> None:
    """``dispatch.outbox_senders`` outbox jobs, run whether or not this scheduler leads: every worker sends,
    each thread under a claim name of its own (``HOLDER/outbox-N``)."""
    settings = services.config.settings.dispatch
    for n in range(1, settings.outbox_senders + 1):
        scheduler.add_job(deliver_outbox, "interval", seconds=settings.outbox_interval_seconds,
                          args=[services, f"{holder}/outbox-{n}"], id=f"outbox-{n}", replace_existing=True,
                          max_instances=1, coalesce=True)


def build_scheduler(services: Services, holder: str | None = None) -> BackgroundScheduler:
    """Every job, run only while ``holder`` (a new name when None) holds the scheduler lease."""
    settings = services.config.settings.dispatch
    scheduler = BackgroundScheduler(timezone=settings.timezone,
                                    executors={"default": ThreadPoolExecutor(10 + settings.outbox_senders)})
    scheduler.add_job(fetch_media, "interval", seconds=settings.outbox_interval_seconds, args=[services],
                      id="media", replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(drain_spool, "interval", seconds=settings.outbox_interval_seconds, args=[services],
                      id="spool", replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(scan_deadlines, "interval", seconds=settings.deadline_scan_seconds, args=[services],
                      id="deadlines", replace_existing=True, max_instances=1, coalesce=True)
    points_jobs.add_jobs(scheduler, services)
    add_dispatch_jobs(scheduler, services)
    leader = Leader(store_location(services.config), settings.scheduler_lease_seconds, holder)
    for job in scheduler.get_jobs():
        job.modify(func=leased(job.func, services, leader))
    add_senders(scheduler, services, leader.holder)
    # A scheduler that stops hands the lead over at once (a killed one: its lock goes with the process).
    scheduler.add_listener(lambda _e: with_store(services, lambda db, _c, _n: leader.release(db)),
                           EVENT_SCHEDULER_SHUTDOWN)
    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    return scheduler
