"""The scheduled jobs, run as the worker runs them (own connection, the real clock)."""

from __future__ import annotations

from bot import points_jobs


def test_jobs_run_against_the_store(app, services, chat):
    chat.say("j1", "广场花苑小区3栋的垃圾桶坏了")
    assert points_jobs.sync_points(services) >= 1
    assert points_jobs.refresh_rollup(services) == 1          # today's tickets summed
    assert points_jobs.quarterly_rating(services) == 4        # one dispatcher per community
    assert any("网格评星" in m for m in chat.pushed("dispatcher-pingdong"))
    assert points_jobs.weekly_champion(services) is None      # nobody earned anything last week
