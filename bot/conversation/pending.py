"""Messages that continue an earlier one: a photo or location first, or a report that still lacks its place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import wording
from bot.conversation import table
from bot.conversation.reply import Reply
from bot.conversation.reports import names_a_problem
from bot.conversation.turn import Turn
from dispatch import dialogue, tickets
from dispatch.users import is_staff


def _window(turn: Turn) -> timedelta:
    return timedelta(minutes=turn.config.settings.dispatch.photo_join_minutes)


def waiting(turn: Turn) -> dict[str, Any] | None:
    """What the bot waits for from this person, if it still does."""
    return dialogue.waiting(turn.db, turn.user["id"], turn.now - _window(turn))


def _wait(turn: Turn, state: str, data: dict[str, Any]) -> None:
    dialogue.wait_for(turn.db, turn.user["id"], state, data, turn.now)


def add_result_photo(turn: Turn) -> Reply | None:
    """A handler's photo alone shows the work on the ticket in hand (or just closed)."""
    if not is_staff(turn.user):
        return None
    work = tickets.current_work(turn.db, turn.user["id"], turn.now - _window(turn))
    if work is None:
        return None                  # no work in hand: the photo is their own report, as anyone's
    tickets.attach_photos(turn.db, work["id"], turn.inbound.photos, "result", turn.now, turn.message_id)
    return Reply(wording.result_photo_added(work["id"], done=work["state"] == "resolved"), work["id"], "joined")


def add_to_recent_report(turn: Turn) -> Reply | None:
    """Words first, then the photo: a photo alone soon after a report belongs to that report."""
    ticket_id = tickets.latest_report(turn.db, turn.user["id"], turn.now - _window(turn))
    if ticket_id is None:
        return None
    tickets.attach_photos(turn.db, ticket_id, turn.inbound.photos, "report", turn.now, turn.message_id)
    return Reply("" if turn.in_group else wording.photo_added(ticket_id), ticket_id, "joined")


def wait_for_words(turn: Turn) -> Reply:
    pending = waiting(turn) or {"photos": [], "location": None}
    pending.pop("state", None)
    pending["photos"] = pending.get("photos", []) + turn.inbound.photos
    if turn.inbound.location:
        pending["location"] = list(turn.inbound.location)
        pending["label"] = turn.inbound.location_label
    _wait(turn, "awaiting_words", pending)
    if turn.in_group:
        return Reply("", outcome="ignored")
    return Reply(wording.ask_for_words("照片" if turn.inbound.photos else "位置"), outcome="asked")


def continue_pending(turn: Turn, pending: dict[str, Any]) -> Reply:
    """Join the earlier photo/location or the earlier words with this message into one report."""
    if pending["state"] == "awaiting_words":
        if (turn.inbound.photos or turn.inbound.location) and not turn.inbound.text:
            return wait_for_words(turn)
        turn.inbound.photos = pending.get("photos", []) + turn.inbound.photos
        if pending.get("location") and not turn.inbound.location:
            turn.inbound.location = tuple(pending["location"])
            turn.inbound.location_label = pending.get("label", "")
        if pending.get("text"):      # the place came first (「龙西小区」), now the problem
            if turn.parse.intent == "chitchat":
                return table.run(turn)          # 「谢谢」 says nothing about the problem: still waiting
            combined = turn.services.engine.parse(f"{pending['text']}，{turn.parse.text}")
            if combined.intent != "report":
                return table.run(turn)
            turn.parse = combined
        dialogue.forget(turn.db, turn.user["id"])
        if turn.parse.intent in ("chitchat", "question", "photo"):
            turn.parse.intent = "report"
        return table.run(turn, "report")
    # awaiting_place: the earlier words lacked a place; this message should name it.
    if _is_complete_report(turn):
        return _report_beside_the_waiting_one(turn, pending)
    combined = turn.services.engine.parse(f"{turn.parse.text} {pending['text']}")
    location = tuple(pending["location"]) if pending.get("location") else turn.inbound.location
    if not (combined.entities.where or location):
        return _still_no_place(turn, pending)
    dialogue.forget(turn.db, turn.user["id"])
    combined.text = f"{pending['text']}（{turn.parse.text}）" if turn.parse.text else pending["text"]
    turn.parse = combined
    turn.inbound.photos = pending.get("photos", []) + turn.inbound.photos
    turn.inbound.location = location
    return table.run(turn, "report")


def _is_complete_report(turn: Turn) -> bool:
    """A report with its own place and problem (「芙蓉苑小区天然气漏了」): a new matter, not the answer to
    「哪个小区？」 for the waiting one."""
    return (turn.parse.intent == "report" and bool(turn.parse.entities.where)
            and names_a_problem(turn.parse) and not turn.parse.only_place)


def _report_beside_the_waiting_one(turn: Turn, pending: dict[str, Any]) -> Reply:
    """File the new report on its own; the waiting one keeps waiting for its place, and the reply says so."""
    reply = table.run(turn, "report")
    _wait(turn, "awaiting_place", {k: v for k, v in pending.items() if k != "state"})
    if not names_a_problem(turn.services.engine.parse(pending["text"])):
        return reply                            # the waiting words named no problem: nothing to remind of
    return Reply(f"{reply.text}\n{wording.still_waiting_for_place(pending['text'])}", reply.ticket, reply.outcome)


def _still_no_place(turn: Turn, pending: dict[str, Any]) -> Reply:
    """The answer to 「哪个小区？」 named no place: the report keeps waiting, and no word of it is lost.

    More about the problem (「就在我家楼下」, 「3栋」) joins the words; a question is answered meanwhile.
    """
    if turn.parse.intent == "question":
        return table.run(turn)
    data = {k: v for k, v in pending.items() if k != "state"}
    data["photos"] = pending.get("photos", []) + turn.inbound.photos
    if turn.parse.text and (turn.parse.intent == "report" or turn.parse.entities.building):
        data["text"] = f"{pending['text']}，{turn.parse.text}"
    _wait(turn, "awaiting_place", data)
    return Reply(wording.ASK_PLACE_AGAIN, outcome="asked")
