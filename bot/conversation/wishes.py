"""微心愿 in chat: 「心愿：想请人帮忙换个灯泡」 (resident), 「心愿」 (the open list), 「心愿 3」, 「我的心愿」,
「认领心愿 3」 and 「完成心愿 3 …」 (volunteer), 「确认心愿 3 满意」 / 「心愿未完成 3 …」 (resident), 「撤回心愿 3」.

Wish numbers are their own, apart from ticket numbers: 「认领 12」 stays the claim of a ticket opened with 征集.
"""

from __future__ import annotations

from typing import Any

import wording
from bot.conversation import scans
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.conversation.volunteers import is_volunteer
from dispatch import wishes
from dispatch.clock import local_text
from dispatch.routing import route
from dispatch.users import get_user, is_demo, is_staff
from dispatch.volunteers import name_of
from nlu.commands import RATING_VALUES


def _number(turn: Turn) -> int:
    return turn.parse.args["ticket"]     # the command's number: here a wish's


def post(turn: Turn) -> Reply | str:
    """Put the wish on the list of the community its place (written, or scanned from a 帮办二维码) belongs to."""
    text = turn.parse.args.get("wish", "").strip()
    limit = turn.config.settings.wishes.max_chars
    if len(text) > limit:
        return wording.wish_too_long(limit)
    parse = turn.services.engine.parse(text)
    if not parse.entities.where:
        parse = scans.with_scanned_place(turn, parse) or parse
    the_route = route(parse, turn.config.deployment, turn.config.settings.nlu.review_threshold, None)
    community = turn.config.deployment.community(the_route.community_id)
    if community is None or not parse.entities.place:
        return wording.WISH_ASK_PLACE
    place = f"{parse.entities.place}{parse.entities.building or ''}"
    wish, told = wishes.post(turn.db, turn.user, community.id, place, text, turn.now)
    return Reply(wording.wish_posted(wish["id"], place, community.name, told), outcome="filed")


def listing(turn: Turn) -> str:
    """「心愿」: a volunteer or staff member sees their community's open list; a resident their own wishes."""
    community = turn.config.deployment.community(turn.user.get("community_id"))
    if community is None or not (is_volunteer(turn) or is_staff(turn.user)):
        return mine(turn)
    rows = wishes.open_list(turn.db, community.id, is_demo(turn.user["id"]), turn.config.settings.wishes.list_size)
    return wording.wish_list(community.name, rows)


def mine(turn: Turn) -> str:
    return wording.my_wishes(wishes.of_wisher(turn.db, turn.user["id"], turn.config.settings.wishes.list_size))


def status(turn: Turn) -> str:
    try:
        wish = wishes.get(turn.db, _number(turn))
    except wishes.WishNotFound:
        return wording.wish_not_found(_number(turn))
    if not wishes.may_see(turn.user, wish):
        return wording.wish_not_found(wish["id"])
    posted = local_text(wish["created_at"], turn.config.settings.dispatch.timezone) or ""
    return wording.wish_status(wish, _volunteer_name(turn, wish), posted)


def claim(turn: Turn) -> str:
    if not is_volunteer(turn):
        return wording.WISH_ONLY_VOLUNTEERS
    wish_id = _number(turn)
    try:
        wishes.claim(turn.db, wish_id, turn.user, turn.now)
    except wishes.WishNotFound:
        return wording.wish_not_found(wish_id)
    except wishes.WishTaken as e:
        return wording.wish_taken(wish_id, e.holder)
    return wording.wish_claimed_reply(wish_id)


def done(turn: Turn) -> str:
    wish_id, note = _number(turn), turn.parse.args.get("note", "")
    if not note.strip() and not turn.inbound.photos:
        return wording.WISH_DONE_HOW
    return _step(turn, lambda: wishes.report_done(turn.db, wish_id, turn.user, note, len(turn.inbound.photos),
                                                  turn.now),
                 wording.wish_done_reply(wish_id), wording.wish_not_yours(wish_id))


def confirm(turn: Turn) -> str:
    wish_id = _number(turn)
    rating = RATING_VALUES.get(turn.parse.args.get("value", ""), "满意")
    return _step(turn, lambda: wishes.confirm(turn.db, turn.config, wish_id, turn.user, rating,
                                              turn.parse.args.get("note", ""), turn.now),
                 wording.wish_confirmed_reply(wish_id, rating), wording.wish_not_the_wisher(wish_id))


def not_done(turn: Turn) -> str:
    wish_id = _number(turn)
    return _step(turn, lambda: wishes.not_done(turn.db, wish_id, turn.user, turn.parse.args.get("note", ""),
                                               turn.now),
                 wording.wish_not_done_reply(wish_id), wording.wish_not_the_wisher(wish_id))


def withdraw(turn: Turn) -> str:
    wish_id = _number(turn)
    return _step(turn, lambda: wishes.withdraw(turn.db, wish_id, turn.user, turn.parse.args.get("note", ""),
                                               turn.now),
                 wording.wish_withdrawn_reply(wish_id), wording.wish_not_the_wisher(wish_id))


def points_line(turn: Turn) -> str:
    """The line 积分 adds for someone whose wishes came true: 心愿积分 and how many; "" otherwise."""
    earned, count = wishes.wish_points(turn.db, turn.user["id"])
    return wording.wish_points_line(earned, count) if count else ""


def _step(turn: Turn, act: Any, ok: str, not_yours: str) -> str:
    """One step of a wish, with the refusals every step shares."""
    wish_id = _number(turn)
    try:
        if not wishes.may_see(turn.user, wishes.get(turn.db, wish_id)):
            raise wishes.WishNotFound(wish_id)     # a stranger cannot probe which wish numbers exist
        act()
    except wishes.WishNotFound:
        return wording.wish_not_found(wish_id)
    except wishes.NotYourWish:
        return not_yours
    except wishes.WrongWishState as e:
        return wording.wish_wrong_state(wish_id, e.state)
    return ok


def _volunteer_name(turn: Turn, wish: dict[str, Any]) -> str:
    return name_of(get_user(turn.db, wish["claimed_by"])) if wish["claimed_by"] else ""
