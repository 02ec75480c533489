"""Per-sender limits: new reports per minute and per hour, 志愿服务积分 per day (config ``limits``).

One openid sent 98 reports in 1.3 s: 98 tickets, 232 pushes to the grids, 730 points and a reward redeemed at
once. A person is trusted with a few reports a minute; beyond that the report is not filed and the sender is
told kindly when to try again. Staff are not limited. The count is read from the tickets themselves (the
index on reporter, newest first), so there is no counter to drift or to share between processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

import wording
from dispatch.clock import iso
from dispatch.users import is_staff
from settings import LimitSettings


def _reports_since(db: Database, user_id: str, since: datetime, at_most: int) -> int:
    """How many tickets the person filed since ``since``, counting no further than ``at_most``."""
    return db.execute("SELECT count(*) FROM (SELECT created_at FROM tickets WHERE reporter = ? ORDER BY id DESC "
                      "LIMIT ?) AS recent WHERE created_at >= ?", [user_id, at_most, iso(since)]).fetchone()[0]


def report_refusal(db: Database, limits: LimitSettings, user: dict[str, Any], now: datetime) -> str | None:
    """The kind sentence refusing one more new report from this person, or None when it may be filed."""
    if is_staff(user):
        return None
    for per, window, limit in (("分钟", timedelta(minutes=1), limits.reports_per_minute),
                               ("小时", timedelta(hours=1), limits.reports_per_hour)):
        if _reports_since(db, user["id"], now - window, limit) >= limit:
            return wording.too_many_reports(per, limit)
    return None


def points_left_today(db: Database, limits: LimitSettings, user_id: str, now: datetime, account: str) -> int:
    """What the person may still earn in the 24 hours up to ``now``."""
    earned = db.execute("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE user_id = ? AND at >= ? "
                        "AND account = ? AND points > 0", [user_id, iso(now - timedelta(days=1)), account]).fetchone()[0]
    return max(0, limits.points_per_day - earned)
