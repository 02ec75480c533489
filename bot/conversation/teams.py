"""Rider teams and chosen names in chat: 「我叫 小李」, 「加入 龙西小哥队」, 「我的小队」, 「退出小队」, 「小队排行」."""

from __future__ import annotations

import wording
from bot.conversation.points import this_week
from bot.conversation.turn import Turn
from dispatch import names, points, teams
from dispatch.users import is_staff


def choose_name(turn: Turn) -> str:
    settings = turn.config.settings.names
    try:
        kept = names.choose(turn.db, turn.user["id"], turn.parse.args.get("name", ""), settings, turn.now)
    except names.NameRefused as e:
        return wording.name_refused(e.reason, e.detail, settings.max_chars)
    return wording.name_saved(kept)


def join(turn: Turn) -> str:
    deployment = turn.config.deployment
    choices = [t.name for t in deployment.teams]
    if is_staff(turn.user):
        return wording.TEAM_NOT_FOR_STAFF
    team = deployment.team_named(turn.parse.args.get("team", ""))
    if team is None:   # in a group, 「加入…」 naming no team is talk among the riders: say nothing
        return "" if turn.in_group else wording.unknown_team(turn.parse.args.get("team", ""), choices)
    before = deployment.team(teams.team_of(turn.db, turn.user["id"]))
    if not teams.join(turn.db, turn.user["id"], names.public_name(turn.db, turn.user), team, turn.now):
        return wording.team_already(team.name)
    return wording.team_joined(team.name, team.leader_name, before.name if before else None)


def leave(turn: Turn) -> str:
    deployment = turn.config.deployment
    left = deployment.team(teams.leave(turn.db, turn.user["id"]))
    return wording.team_left(left.name) if left else wording.no_team(t.name for t in deployment.teams)


def my_team(turn: Turn) -> str:
    deployment = turn.config.deployment
    team = deployment.team(teams.team_of(turn.db, turn.user["id"]))
    if team is None:
        return wording.no_team(t.name for t in deployment.teams)
    points.sync(turn.db, turn.config, turn.now)
    start, end = this_week(turn)
    return wording.my_team(team.name, team.leader_name, teams.members(turn.db, team.id, start, end))


def leaderboard(turn: Turn) -> str:
    points.sync(turn.db, turn.config, turn.now)
    start, end = this_week(turn)
    rows = teams.standings(turn.db, turn.config.deployment, start, end)
    return wording.team_leaderboard(rows, teams.team_of(turn.db, turn.user["id"]))

