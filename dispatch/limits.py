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


def _latest_reports(db: Database, user_id: str, count: int) -> list[str]:
    """When the person filed their ``count`` latest tickets (ISO text), newest first."""
    return [r[0] for r in db.execute("SELECT created_at FROM tickets WHERE reporter = ? ORDER BY id DESC LIMIT ?",
                                     [user_id, count]).fetchall()]


def report_refusal(db: Database, limits: LimitSettings, user: dict[str, Any], now: datetime) -> str | None:
    """The kind sentence refusing one more new report from this person, or None when it may be filed: a
    window is full when the person's latest ``limit`` tickets were all filed within it."""
    if is_staff(user):
        return None
    windows = (("分钟", timedelta(minutes=1), limits.reports_per_minute),
               ("小时", timedelta(hours=1), limits.reports_per_hour))
    latest = _latest_reports(db, user["id"], max(limit for _, _, limit in windows))   # one read for every window
    for per, window, limit in windows:
        since = iso(now - window)
        if sum(1 for at in latest[:limit] if at >= since) >= limit:
            return wording.too_many_reports(per, limit)
    return None


def points_left_today(db: Database, limits: LimitSettings, user_id: str, now: datetime, account: str) -> int:
    """What the person may still earn in the 24 hours up to ``now``."""
    earned = db.execute("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE user_id = ? AND at >= ? "
                        "AND account = ? AND points > 0", [user_id, iso(now - timedelta(days=1)), account]).fetchone()[0]
    return max(0, limits.points_per_day - earned)
