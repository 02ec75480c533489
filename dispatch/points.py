"""Points: 志愿服务积分 for riders and residents who report, 心愿积分 for staff whose work is rated well.

The ledger is append-only and the balance is its sum. Points are worked out from ticket events at scan
time (``sync``), not inside the ticket code: a report earns once it is accepted (routed, transferred,
claimed…) and is taken back if the ticket is later merged as a duplicate or rejected. Every entry has a
dedup key, so a scan that runs twice, or a retried 兑换 message, never counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import wording
from dispatch import dialect, outbox
from dispatch.clock import iso
from dispatch.store import transaction
from dispatch.limits import points_left_today
from settings import Config, LimitSettings, PointsSettings, Reward

VOLUNTEER, WISH = "volunteer", "wish"
WATERMARK_KEY = "points:event_watermark"
BATCH = 5000

#: A ticket that reached one of these states was accepted as a valid report.
ACCEPTED = {"routed", "transferred", "claimed", "in_progress", "resolved", "closed", "escalated", "reopened"}
#: Reaching one of these takes the report's points back.
VOIDED = {"merged", "rejected"}


class RedeemError(Exception):
    """A 兑换 that cannot be done; ``reason`` is one of unknown, balance, stock."""

    def __init__(self, reason: str, reward: Reward | None = None, balance: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.reward, self.balance = reason, reward, balance


@dataclass
class Redemption:
    reward: Reward
    balance: int
    repeated: bool     # the same message again: nothing new was spent


# ---------------------------------------------------------------- ledger


def add_entry(db: Database, user_id: str, points: int, reason: str, now: datetime, dedup_key: str,
              ticket_id: int | None = None, account: str = VOLUNTEER) -> bool:
    """Append one entry; returns False when the dedup key was already used (nothing written)."""
    return bool(db.execute(
        "INSERT INTO points_ledger (user_id, points, reason, ticket_id, dedup_key, at, account) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [user_id, points, reason, ticket_id, dedup_key, iso(now), account],
    ).rowcount)


def earned(db: Database, user_id: str | None = None) -> dict[str, int]:
    """志愿服务积分 earned, net of take-backs but not of 兑换 (spending does not lower a star): by person, or
    only the one person named."""
    sql = ("SELECT user_id, coalesce(sum(points), 0) AS points FROM points_ledger WHERE account = ? "
           "AND dedup_key NOT LIKE 'redeem:%'")
    params: list[Any] = [VOLUNTEER]
    if user_id is not None:
        sql += " AND user_id = ?"
        params.append(user_id)
    return {r["user_id"]: int(r["points"]) for r in db.query(sql + " GROUP BY user_id", params)}


def balance(db: Database, user_id: str, account: str = VOLUNTEER) -> int:
    row = db.execute("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE user_id = ? AND account = ?",
                     [user_id, account]).fetchone()
    return int(row[0])


def recent(db: Database, user_id: str, account: str = VOLUNTEER, limit: int = 5) -> list[dict[str, Any]]:
    return list(db.query("SELECT points, reason, ticket_id, at FROM points_ledger WHERE user_id = ? AND account = ? "
                         "ORDER BY id DESC LIMIT ?", [user_id, account, limit]))


def account_for(user: dict[str, Any], settings: PointsSettings) -> str:
    """Riders and residents collect 志愿服务积分; staff collect 心愿积分."""
    return VOLUNTEER if user.get("role", "resident") in settings.reporter_roles else WISH


# ---------------------------------------------------------------- awarding from ticket events


def _report_awards(db: Database, settings: PointsSettings, t: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(dedup key, points, reason) for one accepted report."""
    tid = t["id"]
    awards = [(f"report:{tid}", settings.report, f"有效反映 #{tid}")]
    if db.execute("SELECT 1 FROM media WHERE ticket_id = ? AND purpose = 'report' LIMIT 1", [tid]).fetchone():
        awards.append((f"photo:{tid}", settings.photo, f"附照片 #{tid}"))
    if t["intent"] == "suggestion" or any(w in t["text"] for w in settings.suggestion_words):
        awards.append((f"suggestion:{tid}", settings.suggestion, f"建议 #{tid}"))
    if t["urgency"] in settings.urgent_levels:
        awards.append((f"urgent:{tid}", settings.urgent, f"紧急隐患 #{tid}"))
    return [a for a in awards if a[1] > 0]


def _void_report(db: Database, t: dict[str, Any], kind: str, now: datetime) -> None:
    """Take back what a report earned, never below zero (points already spent stay spent)."""
    earned = db.execute("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE ticket_id = ? AND user_id = ? "
                        "AND account = ?", [t["id"], t["reporter"], VOLUNTEER]).fetchone()[0]
    take = min(earned, balance(db, t["reporter"]))
    if take > 0:
        why = "merged" if kind == "merged" else "withdrawn" if t.get("actor") == t["reporter"] else "rejected"
        reason = wording.points_taken_back(t["id"], why)
        add_entry(db, t["reporter"], -take, reason, now, f"void:{t['id']}", t["id"])


def sync(db: Database, config: Config, now: datetime) -> int:
    """Award (or take back) points for ticket events since the last scan; returns entries written."""
    settings = config.settings.points
    written = 0
    while True:
        with transaction(db):
            row = db.execute("SELECT value FROM kv WHERE key = ?", [WATERMARK_KEY]).fetchone()
            after = int(row[0]) if row else 0
            events = list(db.query(
                "SELECT e.id AS event_id, e.kind, e.actor, t.id, t.reporter, t.state, t.urgency, t.intent, t.text, t.rating, "
                "t.claimed_by, u.role AS reporter_role FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                "JOIN users u ON u.id = t.reporter WHERE e.id > ? ORDER BY e.id LIMIT ?", [after, BATCH]))
            for e in events:
                written += _apply_event(db, settings, config.settings.limits, e, now)
            if events:
                db.execute("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                           "value = excluded.value", [WATERMARK_KEY, str(events[-1]["event_id"])])
        if len(events) < BATCH:
            return written


def _apply_event(db: Database, settings: PointsSettings, limits: LimitSettings, e: dict[str, Any],
                 now: datetime) -> int:
    written = 0
    reporter_counts = e["reporter_role"] in settings.reporter_roles
    if e["kind"] in ACCEPTED and e["state"] not in VOIDED and reporter_counts:
        for key, points, reason in _report_awards(db, settings, e):
            left = points_left_today(db, limits, e["reporter"], now, VOLUNTEER)
            if left < points:          # the day's cap: the entry says so, so 「积分」 explains the missing points
                points, reason = left, f"{reason}（{wording.points_daily_cap(limits.points_per_day)}）"
            written += add_entry(db, e["reporter"], points, reason, now, key, e["id"])
    elif e["kind"] in VOIDED and reporter_counts:
        _void_report(db, e, e["kind"], now)
    if e["kind"] == "closed" and e["rating"] in settings.good_ratings and e["claimed_by"] and settings.staff_task:
        written += add_entry(db, e["claimed_by"], settings.staff_task, f"办结获好评 #{e['id']}", now,
                             f"wish:{e['id']}", e["id"], WISH)
    return written


# ---------------------------------------------------------------- leaderboard and champion


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of the week containing ``now``, in the deployment's time zone."""
    local = now.astimezone(ZoneInfo(tz))
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday


def week_of(now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The week containing ``now`` (Monday 00:00 to the next), which the leaderboards rank."""
    start = week_start(now, tz)
    return start, start + timedelta(days=7)


def leaderboard(db: Database, start: datetime, end: datetime, limit: int = 10,
                account: str = VOLUNTEER) -> list[dict[str, Any]]:
    """Net points earned between start and end, highest first; ties go to who got there first. Each row names
    the person as they are shown (the name they chose, else their channel's; never their id) and their team.

    The same sum as 积分, without spending: what was earned in the period, less what was later taken back
    of it (a report merged or rejected, even after the period ended, so it never wins the week). A take-back
    of points earned before the period does not lower this period. People left with nothing are not listed.
    """
    return list(db.query(
        "WITH earned AS (SELECT user_id, points, at FROM points_ledger "
        "                WHERE account = :account AND at >= :start AND at < :end AND points > 0), "
        "taken_back AS (SELECT v.user_id, v.points, NULL AS at FROM points_ledger v "
        "               WHERE v.account = :account AND v.at >= :start AND v.points < 0 AND v.ticket_id IS NOT NULL "
        "               AND EXISTS (SELECT 1 FROM points_ledger g WHERE g.ticket_id = v.ticket_id "
        "                           AND g.user_id = v.user_id AND g.account = :account AND g.points > 0 "
        "                           AND g.at >= :start AND g.at < :end)) "
        "SELECT n.user_id, coalesce(c.name, u.display_name) AS display_name, m.team_id, sum(n.points) AS points, "
        "max(n.at) AS last_at "
        "FROM (SELECT * FROM earned UNION ALL SELECT * FROM taken_back) n JOIN users u ON u.id = n.user_id "
        "LEFT JOIN chosen_names c ON c.user_id = n.user_id LEFT JOIN team_members m ON m.user_id = n.user_id "
        "GROUP BY n.user_id, u.display_name, c.name, m.team_id HAVING sum(n.points) > 0 "
        "ORDER BY points DESC, last_at, n.user_id LIMIT :limit",
        {"account": account, "start": iso(start), "end": iso(end), "limit": limit}))


def announce_champion(db: Database, config: Config, now: datetime) -> dict[str, Any] | None:
    """Tell the riders' group (and the champion) who earned most last week; safe to run more than once."""
    settings = config.settings.points
    group = settings.champion_group
    this_week = week_start(now, config.settings.dispatch.timezone)
    last_week = this_week - timedelta(days=7)
    sync(db, config, now)
    top = leaderboard(db, last_week, this_week, 3)
    if not top:
        return None
    week = last_week.strftime("%Y-%m-%d")
    champion = top[0]
    group_name = config.deployment.groups.get(group, group)
    with transaction(db):
        outbox.enqueue_to_group(db, group, group_name, wording.weekly_champion(week, top), now, None,
                                f"champion:{week}:{group}")
        outbox.enqueue(db, champion["user_id"], wording.you_are_champion(week, champion["points"]), now, None,
                       f"champion:{week}:{champion['user_id']}")
    return champion


# ---------------------------------------------------------------- rewards


def find_reward(settings: PointsSettings, name: str) -> Reward | None:
    return next((r for r in settings.rewards if r.name == name.strip()), None)


def redeem(db: Database, config: Config, user: dict[str, Any], item: str, now: datetime,
           dedup_key: str) -> Redemption:
    """Spend points on a reward. The balance check and the spend are one write transaction, and the
    message id is the dedup key, so a retried message spends once and two messages at once cannot overdraw.

    :raises RedeemError: unknown item, not enough points, or out of stock.
    """
    settings = config.settings.points
    reward = find_reward(settings, item)
    if reward is None:
        raise RedeemError("unknown")
    account = account_for(user, settings)
    key = f"redeem:{dedup_key}"
    with transaction(db):
        dialect.lock(db, f"points:{user['id']}")   # one spend at a time per person: the balance read stays true
        if reward.stock is not None:
            dialect.lock(db, f"reward:{reward.name}")   # taken after the person's, always: no deadlock
        if db.execute("SELECT 1 FROM points_ledger WHERE dedup_key = ?", [key]).fetchone():
            return Redemption(reward, balance(db, user["id"], account), True)
        have = balance(db, user["id"], account)
        if have < reward.cost:
            raise RedeemError("balance", reward, have)
        if reward.stock is not None and redeemed_count(db, reward.name) >= reward.stock:
            raise RedeemError("stock", reward, have)
        add_entry(db, user["id"], -reward.cost, f"兑换：{reward.name}", now, key, None, account)
        return Redemption(reward, have - reward.cost, False)


def redeemed_count(db: Database, name: str) -> int:
    return db.execute("SELECT count(*) FROM points_ledger WHERE reason = ? AND points < 0",
                      [f"兑换：{name}"]).fetchone()[0]
