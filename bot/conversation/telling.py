"""A report told in more than one message: a photo or location first, a place first, or the place missing.

What is being told waits in the dialogue context (context.REPORT) until the missing part comes, the person
drops it (取消, 算了…), or something new arrives: a complete report files on its own, and the reply says
what became of the earlier one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import wording
from bot.conversation import context, table
from bot.conversation.group import files_in_group
from bot.conversation.reply import Reply
from bot.conversation.reports import names_a_problem
from bot.conversation.turn import Turn
from dispatch import tickets
from dispatch.dialogue import Expectation
from dispatch.users import is_staff
from nlu.commands import corrects


def told(turn: Turn) -> dict[str, Any]:
    """What the sender has told so far of a report (empty when nothing is being told)."""
    waiting = context.waiting(turn, context.REPORT)
    return dict(waiting.data) if waiting else {}


def _keep(turn: Turn, data: dict[str, Any]) -> None:
    context.expect(turn, context.REPORT, data=data)


def _take_over(turn: Turn, data: dict[str, Any]) -> None:
    """The photos and shared location told earlier go with this message."""
    turn.inbound.photos = data.get("photos", []) + turn.inbound.photos
    if data.get("location") and not turn.inbound.location:
        turn.inbound.location = tuple(data["location"])
        turn.inbound.location_label = data.get("label", "")


# ---------------------------------------------------------------- a photo or a location without words


def photo_alone(turn: Turn) -> Reply:
    """A photo without words: a handler's result photo, part of the report being told, the sender's report of
    a moment ago, or the first part of a new one."""
    if result := _add_result_photo(turn):
        return result
    data = told(turn)
    if data.get("missing") == "place":
        data["photos"] = data.get("photos", []) + turn.inbound.photos
        _keep(turn, data)
        return Reply(wording.ASK_PLACE_AGAIN, outcome="asked")
    if not data and (recent := _add_to_recent_report(turn)):
        return recent
    return wait_for_words(turn)


def _window(turn: Turn) -> timedelta:
    return timedelta(minutes=turn.config.settings.dispatch.photo_join_minutes)


def _add_result_photo(turn: Turn) -> Reply | None:
    """A handler's photo alone shows the work on the ticket in hand (or just closed)."""
    if not is_staff(turn.user):
        return None
    work = tickets.current_work(turn.db, turn.user["id"], turn.now - _window(turn))
    if work is None:
        return None                  # no work in hand: the photo is their own report, as anyone's
    tickets.attach_photos(turn.db, work["id"], turn.inbound.photos, "result", turn.now, turn.message_id)
    return Reply(wording.result_photo_added(work["id"], done=work["state"] == "resolved"), work["id"], "joined")


def _add_to_recent_report(turn: Turn) -> Reply | None:
    """Words first, then the photo: a photo alone soon after a report belongs to that report, unless the next
    words turn out to be a new report of another kind (reports.py moves it there)."""
    ticket_id = tickets.latest_report(turn.db, turn.user["id"], turn.now - _window(turn))
    if ticket_id is None:
        return None
    tickets.add_photos(turn.db, ticket_id, turn.inbound.photos, "report", turn.now, turn.message_id)
    category = tickets.get_ticket(turn.db, ticket_id)["category"]
    context.expect(turn, context.PHOTO, ticket_id, {"message_id": turn.message_id, "category": category})
    return Reply("" if turn.in_group else wording.photo_added(ticket_id), ticket_id, "joined")


def wait_for_words(turn: Turn) -> Reply:
    """A photo or a location first: keep it until the words come."""
    data = told(turn) or {"photos": [], "location": None, "missing": "words"}
    data["photos"] = data.get("photos", []) + turn.inbound.photos
    if turn.inbound.location:
        data["location"] = list(turn.inbound.location)
        data["label"] = turn.inbound.location_label
    _keep(turn, data)
    if turn.in_group:
        return Reply("", outcome="ignored")
    return Reply(wording.ask_for_words(
        "视频" if turn.inbound.media_of("video") else "照片" if turn.inbound.photos else "位置"), outcome="asked")


# ---------------------------------------------------------------- the next words


def cancel(turn: Turn) -> Reply:
    """「算了」「取消」: the report being told (or the question asked) is dropped, and the reply says which."""
    data = told(turn)
    confirm = context.waiting(turn, context.CONFIRM)
    context.drop(turn, context.REPORT)
    context.drop(turn, context.CONFIRM)
    text = data.get("text") or (confirm.data.get("text") if confirm else "")
    photos = data.get("photos") or (confirm.data.get("photos") if confirm else None)
    return Reply(wording.dropped(text, bool(photos)))


def continue_report(turn: Turn) -> Reply:
    """The message after 「哪个小区？」 or after a photo: the missing part, more of the same, or something new."""
    data = told(turn)
    if turn.in_group:
        return _words_in_group(turn, data)
    if data.get("missing") == "words":
        return _words_after(turn, data)
    return _place_after(turn, data)


def _words_in_group(turn: Turn, data: dict[str, Any]) -> Reply:
    """In a group only a photo waits for words: a report with them files with the photo; talk leaves it waiting."""
    if not files_in_group(turn.config, turn.parse, with_photos=True):
        return table.run(turn)
    context.drop(turn, context.REPORT)
    _take_over(turn, data)
    return table.run(turn, "report")


def _words_after(turn: Turn, data: dict[str, Any]) -> Reply:
    """The words after a photo, a location or a place said alone (「龙西小区」, then 「5栋楼道灯坏了」)."""
    if data.get("interrupted") and turn.parse.only_place and not turn.inbound.photos:
        return _ask_if_there(turn, data)
    if not data.get("text") and turn.parse.intent in ("chitchat", "greeting") and not (
            names_a_problem(turn.parse) or turn.parse.wrong or turn.parse.entities.where):
        return _answered_meanwhile(turn, data)      # 「发错了」 after a photo says nothing about it
    if data.get("text"):
        if _corrects_the_place(turn):
            e = turn.parse.entities
            data["text"] = f"{e.where}{e.building or ''}"
            _keep(turn, data)
            return Reply(wording.ask_what_happened(data["text"]), outcome="asked")
        if turn.parse.entities.where and not turn.parse.only_place:
            # a report with its own place: the place said before does not belong to it
            context.drop(turn, context.REPORT)
            return table.run(turn)
        if turn.parse.intent in ("chitchat", "greeting"):
            return table.run(turn)          # 「谢谢」 says nothing about the problem: still waiting
        combined = turn.services.engine.parse(f"{data['text']}，{turn.parse.text}")
        if combined.intent != "report":
            return table.run(turn)
        turn.parse = combined
    context.drop(turn, context.REPORT)
    _take_over(turn, data)
    if turn.parse.intent in ("chitchat", "question", "photo"):
        turn.parse.intent = "report"        # the words that go with a photo describe it
    return table.run(turn, "report")


def _corrects_the_place(turn: Turn) -> bool:
    """「不对，是幸福里小区2栋」 after a place said alone: another place, still no problem, in words that correct."""
    p = turn.parse
    return (bool(p.entities.where) and not turn.inbound.photos and not names_a_problem(p) and not p.wrong
            and (p.only_place or corrects(p.words)))


def _place_after(turn: Turn, data: dict[str, Any]) -> Reply:
    """The message after 「哪个小区？」: the place, more about the problem, or a new matter."""
    if _is_complete_report(turn):
        return _report_beside_the_waiting_one(turn, data)
    if turn.parse.intent in ("question", "chitchat", "greeting") and not turn.parse.talk_not_report:
        return _answered_meanwhile(turn, data)
    # (「就在我家楼下」 alone reads as talk; after 「哪个小区？」 it answers, so it joins the report)
    combined = turn.services.engine.parse(f"{turn.parse.text} {data['text']}")
    location = tuple(data["location"]) if data.get("location") else turn.inbound.location
    if combined.entities.where or location:
        if data.get("interrupted") and not location:
            return _ask_if_there(turn, data)
        context.drop(turn, context.REPORT)
        combined.text = f"{data['text']}（{turn.parse.text}）" if turn.parse.text else data["text"]
        turn.parse = combined
        turn.inbound.photos = data.get("photos", []) + turn.inbound.photos
        turn.inbound.location = location
        return table.run(turn, "report")
    if _another_matter(turn, data):
        return _another_matter_without_place(turn, data)
    data["photos"] = data.get("photos", []) + turn.inbound.photos
    if turn.parse.text and (turn.parse.intent == "report" or turn.parse.talk_not_report
                            or turn.parse.entities.building):
        data["text"] = f"{data['text']}，{turn.parse.text}"     # more about the same problem
    _keep(turn, data)
    return Reply(wording.ASK_PLACE_AGAIN, outcome="asked")


def _answered_meanwhile(turn: Turn, data: dict[str, Any]) -> Reply:
    """Talk while a report waits (「没事了，已经好了」): answered, and the reply says what still waits and how to drop
    it; a place said next is asked about before the waiting words are filed there. Thanks, greetings and a
    question (「老年出行卡怎么办？」) are asides: answered, and the place said next still completes the report."""
    reply = table.run(turn)
    if turn.parse.talk or turn.parse.intent in ("greeting", "question") or not reply.text:
        return reply
    data["interrupted"] = True
    _keep(turn, data)
    return Reply(f"{reply.text}\n{wording.still_waiting_or_cancel(data.get('text', ''))}", reply.ticket,
                 reply.outcome)


def _ask_if_there(turn: Turn, data: dict[str, Any]) -> Reply:
    """A place said after other talk: 「单元门坏了关不上」是在「东湖小区3栋」吗？ (是 files it there; 不是 starts anew)."""
    context.drop(turn, context.REPORT)
    asked = {k: v for k, v in data.items() if k not in ("interrupted", "missing")}
    asked["photos"] = data.get("photos", []) + turn.inbound.photos
    context.expect(turn, context.CONFIRM, data={**asked, "place": turn.parse.text, "for_waiting": True})
    return Reply(wording.is_it_there(data.get("text", ""), turn.parse.text), outcome="asked")


def _is_complete_report(turn: Turn) -> bool:
    """A report with its own place and problem (「芙蓉苑小区天然气漏了」): a new matter, not the answer to
    「哪个小区？」 for the waiting one."""
    return (turn.parse.intent == "report" and bool(turn.parse.entities.where)
            and names_a_problem(turn.parse) and not turn.parse.only_place)


def _another_matter(turn: Turn, data: dict[str, Any]) -> bool:
    """Words of a problem of another kind than the one waiting (「我要投诉网格员态度不好」 after 「垃圾桶坏了」)."""
    return (turn.parse.intent == "report" and names_a_problem(turn.parse)
            and turn.parse.category != data.get("category"))


def _report_beside_the_waiting_one(turn: Turn, data: dict[str, Any]) -> Reply:
    """File the new report on its own; the waiting one keeps waiting for its place, and the reply says so."""
    reply = table.run(turn, "report")
    _keep(turn, data)
    if not names_a_problem(turn.services.engine.parse(data["text"])):
        return reply                            # the waiting words named no problem: nothing to remind of
    return Reply(f"{reply.text}\n{wording.still_waiting_for_place(data['text'])}", reply.ticket, reply.outcome)


def _another_matter_without_place(turn: Turn, data: dict[str, Any]) -> Reply:
    """A new complaint, also without a place: it is the one asked about now; the earlier one is dropped, and
    the reply says so (one report is told at a time)."""
    context.drop(turn, context.REPORT)
    reply = table.run(turn, "report")
    return Reply(f"{reply.text}\n{wording.earlier_dropped(data['text'])}", reply.ticket, reply.outcome)


# ---------------------------------------------------------------- yes / no


def confirmed(turn: Turn, question: Expectation) -> Reply:
    """是 / 不是 to 「您说的是「仙源小区」吗？」: file with that place, or ask for the place."""
    context.drop(turn, context.CONFIRM)
    data = dict(question.data)
    if turn.parse.yes_no == "yes":
        text = data.get("text")
        turn.parse = turn.services.engine.parse(f"{text}（{data['place']}）" if text else data["place"])
        turn.parse.suggested_place = None
        _take_over(turn, data)
        return table.run(turn, "report")
    if data.get("for_waiting"):
        # the place was for something new: the waiting words are dropped, and the place waits for its problem
        _keep(turn, {"text": data["place"], "photos": [], "location": None, "category": "其他", "missing": "words"})
        return Reply(wording.ask_what_happened(data["place"]), outcome="asked")
    data["missing"] = "place"
    data.pop("place", None)
    _keep(turn, data)
    return Reply(wording.ASK_PLACE, outcome="asked")


def not_confirmed(turn: Turn, question: Expectation) -> None:
    """Something other than yes/no after the question: the report waits for its place as usual."""
    context.drop(turn, context.CONFIRM)
    data = {k: v for k, v in question.data.items() if k not in ("place", "for_waiting")}
    data["missing"] = "place" if data.get("text") else "words"
    _keep(turn, data)
