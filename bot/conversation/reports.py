"""Reports and questions from residents and riders: file, join, ask where, or answer from the knowledge base."""

from __future__ import annotations

import wording
from bot.conversation import context, emergency, languages, scans
from bot.conversation.group import files_in_group
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.inbound import Inbound
from dispatch import duplicates, knowledge_items, limits, outbox, tickets
from dispatch.clock import local_text
from dispatch.routing import Route, route
from nlu.knowledge import answer
from nlu.types import Parse


def names_a_problem(parse: Parse) -> bool:
    """Words of a problem: a category's keywords, an emergency, or a facility (路灯, 井盖)."""
    return bool(parse.problem_words or parse.entities.facility)


def report(turn: Turn) -> Reply:
    """File the report; an emergency's reply first tells the sender whom to call."""
    if turn.in_group and not files_in_group(turn.config, turn.parse, bool(turn.inbound.photos)):
        return Reply("", outcome="ignored")
    return languages.bilingual(turn, emergency.first_call(turn, _file_report(turn)))


def _file_report(turn: Turn) -> Reply:
    """Ask where, join an open ticket about the same thing, or file a new one; the reply says which."""
    if not turn.inbound.location:
        turn.parse = scans.with_scanned_place(turn, turn.parse) or turn.parse   # a 帮办二维码 scanned lately
    e = turn.parse.entities
    has_place = e.where or turn.inbound.location
    told = {"text": turn.parse.text, "photos": turn.inbound.photos, "location": None,
            "category": turn.parse.category}
    if not (e.place or turn.inbound.location) and not turn.in_group and turn.parse.suggested_place:
        context.expect(turn, context.CONFIRM, data={**told, "place": turn.parse.suggested_place})
        return Reply(wording.did_you_mean(turn.parse.suggested_place), outcome="asked")
    if not has_place and not turn.in_group:
        context.expect(turn, context.REPORT, data={**told, "missing": "place"})
        return Reply(wording.ASK_PLACE, outcome="asked")
    if not turn.inbound.photos and turn.parse.only_place:
        context.expect(turn, context.REPORT, data={**told, "missing": "words"})
        return Reply(wording.ask_what_happened(f"{e.where or turn.parse.text}{e.building or ''}"), outcome="asked")
    if refusal := limits.report_refusal(turn.db, turn.config.settings.limits, turn.user, turn.now):
        if not turn.in_group:
            return Reply(refusal)
        outbox.enqueue(turn.db, turn.user["id"], refusal, turn.now, None, f"limit:{turn.message_id}")   # 1:1
        return Reply("", outcome="ignored", private=refusal)
    the_route = route_of(turn)
    ticket, outcome = duplicates.file_or_join(turn.db, turn.config, turn.user["id"], turn.parse, the_route, turn.now,
                                              turn.inbound.photos, turn.message_id, _shared_location(turn.inbound),
                                              turn.inbound.sent_at)
    if outcome == "again":
        return Reply(wording.already_reported(ticket["id"]), ticket["id"], "joined")
    if outcome == "joined":
        return Reply(wording.ack_duplicate(ticket["id"], ticket["reporters"]), ticket["id"], "joined")
    handler = turn.config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    deadline = local_text(ticket["deadline_at"], turn.config.settings.dispatch.timezone)
    text = wording.ack_report(ticket["id"], handler, deadline, the_route.needs_review, the_route.handling)
    if moved_from := _photo_of_this_report(turn, ticket["id"]):
        text += "\n" + wording.photo_moved(moved_from, ticket["id"])
    return Reply(text, ticket["id"], "filed")


def _photo_of_this_report(turn: Turn, ticket_id: int) -> int | None:
    """A photo sent alone a moment ago went to the sender's earlier ticket; when these words file a report of
    another kind, the photo was of this one: it moves here. Returns the ticket it left."""
    photo = context.waiting(turn, context.PHOTO)
    if photo is None or photo.data.get("category") == turn.parse.category or photo.ticket_id == ticket_id:
        return None
    tickets.move_photos(turn.db, photo.data["message_id"], ticket_id)
    context.drop(turn, context.PHOTO)
    return photo.ticket_id


def route_of(turn: Turn) -> Route:
    return route(turn.parse, turn.config.deployment, turn.config.settings.nlu.review_threshold,
                 turn.inbound.location)


def _shared_location(inbound: Inbound) -> tickets.Location | None:
    if inbound.location is None:
        return None
    return tickets.Location(inbound.location[0], inbound.location[1], inbound.location_label)


def question(turn: Turn) -> str:
    item = answer(turn.parse, knowledge_items.current(turn.db, turn.services.knowledge))
    english = turn.parse.language == "en"
    if item is None and turn.in_group:
        return ""        # a question to the group is for the group
    if item is None:
        _to_a_person(turn, knowledge_items.NO_ANSWER_REASON)
        return wording.both(wording.no_answer(), wording.TO_A_PERSON_EN) if english else wording.no_answer()
    answered = wording.answer(item.title, list(item.fields))
    return wording.both(answered, wording.ANSWER_IN_CHINESE_EN) if english else answered


def human(turn: Turn) -> str:
    if turn.in_group:
        return ""
    _to_a_person(turn, "居民要求人工答复")
    return wording.both(wording.TO_A_PERSON, wording.TO_A_PERSON_EN) if turn.parse.language == "en" \
        else wording.TO_A_PERSON


def _to_a_person(turn: Turn, why: str) -> None:
    """A ticket in the community dispatcher's review queue, so a person in the community answers."""
    the_route = route_of(turn)
    review = Route("reply", the_route.category, the_route.community_id, the_route.grid_id, None, True, why)
    tickets.create_ticket(turn.db, turn.config, turn.user["id"], turn.parse, review, turn.now)
