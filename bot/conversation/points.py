"""Points in chat: 积分, 排行榜, 兑换 ITEM."""

from __future__ import annotations

from datetime import timedelta

import wording
from bot.conversation import wishes
from bot.conversation.turn import Turn
from bot.conversation.volunteers import service_line
from dispatch import points


def my_points(turn: Turn) -> str:
    settings = turn.config.settings.points
    points.sync(turn.db, turn.config, turn.now)
    account = points.account_for(turn.user, settings)
    rewards = settings.rewards if account == points.VOLUNTEER else []
    summary = wording.points_summary(account, points.balance(turn.db, turn.user["id"], account),
                                     points.recent(turn.db, turn.user["id"], account), rewards)
    extra = [line for line in (service_line(turn), wishes.points_line(turn)) if line]
    return "\n".join([summary, *extra])


def leaderboard(turn: Turn) -> str:
    settings = turn.config.settings.points
    points.sync(turn.db, turn.config, turn.now)
    start = points.week_start(turn.now, turn.config.settings.dispatch.timezone)
    end = start + timedelta(days=7)
    rows = points.leaderboard(turn.db, start, end, settings.leaderboard_size)
    me = next((i for i, r in enumerate(rows, 1) if r["user_id"] == turn.user["id"]), None)
    return wording.leaderboard(rows, me)


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
