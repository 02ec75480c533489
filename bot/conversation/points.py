"""Points in chat: 积分, 排行榜, 兑换 ITEM."""

from __future__ import annotations

from datetime import datetime

import wording
from bot.conversation import wishes
from bot.conversation.turn import Turn
from bot.conversation.volunteers import service_line
from dispatch import names, points, roster


def my_points(turn: Turn) -> str:
    settings = turn.config.settings.points
    points.sync(turn.db, turn.config, turn.now)
    account = points.account_for(turn.user, settings)
    rewards = settings.rewards if account == points.VOLUNTEER else []
    summary = wording.points_summary(account, points.balance(turn.db, turn.user["id"], account),
                                     points.recent(turn.db, turn.user["id"], account), rewards)
    return "\n".join(line for line in (summary, service_line(turn), wishes.points_line(turn), stars_line(turn)) if line)


def stars_line(turn: Turn) -> str:
    """积分's 星级 line, for a volunteer or anyone graded already; "" otherwise."""
    if not turn.config.settings.volunteers.stars:
        return ""
    stars, earned, hours = roster.grade_of(turn.db, turn.config, turn.user["id"])
    graded = stars.stars or turn.user.get("role") == "volunteer"
    return wording.stars_line(stars.stars, stars.next, earned, hours) if graded else ""


def this_week(turn: Turn) -> tuple[datetime, datetime]:
    return points.week_of(turn.now, turn.config.settings.dispatch.timezone)


def leaderboard(turn: Turn) -> str:
    settings = turn.config.settings.points
    points.sync(turn.db, turn.config, turn.now)
    rows = points.leaderboard(turn.db, *this_week(turn), settings.leaderboard_size)
    me = next((i for i, r in enumerate(rows, 1) if r["user_id"] == turn.user["id"]), None)
    team_names = {t.id: t.name for t in turn.config.deployment.teams}
    return wording.leaderboard(rows, me, team_names, bool(names.public_name(turn.db, turn.user)))


def redeem(turn: Turn) -> str:
    settings = turn.config.settings.points
    item = turn.parse.args.get("item", "")
    points.sync(turn.db, turn.config, turn.now)
    try:
        done = points.redeem(turn.db, turn.config, turn.user, item, turn.now,
                             f"{turn.inbound.channel}:{turn.inbound.msg_id}")
    except points.RedeemError as e:
        cost = e.reward.cost if e.reward else 0
        return wording.redeem_refused(e.reason, e.reward.name if e.reward else item, cost, e.balance,
                                      settings.rewards)
    return wording.redeemed(done.reward.name, done.reward.cost, done.balance, done.repeated)
