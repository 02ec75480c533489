"""Scheduled jobs for points and statistics: the points scan, the KPI rollup, Monday's weekly champion,
the quarter's grid rating. Added to the worker's scheduler by ``add_jobs``; each job opens its own connection.
"""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from bot.services import Services, with_store
from dispatch import points, rollup, stats


def sync_points(services: Services) -> int:
    return with_store(services, points.sync)


def refresh_rollup(services: Services) -> int:
    """Keep the dashboard's daily sums fresh, so a page load never has to sum many days itself."""
    return with_store(services, lambda db, config, _now: rollup.refresh(db, config, force=True))


def weekly_champion(services: Services) -> Any:
    return with_store(services, points.announce_champion)


def quarterly_rating(services: Services) -> int:
    def publish(db: Any, config: Any, now: Any) -> int:
        start, end, label = stats.previous_quarter(now, config.settings.dispatch.timezone)
        return stats.publish_ratings(db, config, start, end, label, now)
    return with_store(services, publish)


def add_jobs(scheduler: BaseScheduler, services: Services) -> None:
    """Times are in the scheduler's time zone (the deployment's)."""
    every = services.config.settings.dispatch.deadline_scan_seconds
    scheduler.add_job(sync_points, "interval", seconds=every, args=[services], id="points",
                      replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(refresh_rollup, "interval", seconds=every, args=[services], id="kpi-rollup",
                      replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(weekly_champion, "cron", day_of_week="mon", hour=9, args=[services], id="champion",
                      replace_existing=True, max_instances=1, coalesce=True)
    scheduler.add_job(quarterly_rating, "cron", month="1,4,7,10", day=1, hour=9, args=[services],
                      id="grid-rating", replace_existing=True, max_instances=1, coalesce=True)
