"""The conversation: one Inbound in, one reply out, through the same path for every channel.

The reply is what the sender sees at once; everything else (pushes to staff, notices to followers)
is queued in the outbox inside the same transaction as the ticket change.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlite_utils import Database

import wording
from bot.inbound import Inbound
from dispatch import digests, duplicates, tickets
from dispatch.clock import iso, local_text, parse_iso
from dispatch.routing import Route, route
from dispatch.states import TransitionError
from dispatch.store import transaction
from dispatch.users import ensure_user, get_user, is_staff
from nlu.engine import Engine
from nlu.knowledge import KnowledgeBase
from nlu.rules import category_scores
from nlu.types import Parse
from settings import Config

log = logging.getLogger(__name__)

MAX_TEXT = 2000


@dataclass
class Services:
    """What a conversation needs, built once per process (the NLU model is the costly part)."""

    config: Config
    engine: Engine
    knowledge: KnowledgeBase


@dataclass
class Turn:
    """One message being handled: who, what, and the open store connection."""

    services: Services
    db: Database
    inbound: Inbound
    user: dict[str, Any]
    parse: Parse
    now: datetime
    message_id: int
    ticket_id: int | None = None    # the ticket this message filed or joined, stored beside the reply

    @property
    def config(self) -> Config:
        return self.services.config


Handler = Callable[[Turn], str]
HANDLERS: dict[str, Handler] = {}


def handles(*intents: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one or more intents."""
    def register(fn: Handler) -> Handler:
        for intent in intents:
            HANDLERS[intent] = fn
        return fn
    return register


# ---------------------------------------------------------------- entry point


def handle(services: Services, db: Database, inbound: Inbound, now: datetime) -> str:
    """Handle one message exactly once; a replay of the same channel message id gets the first reply."""
    text = inbound.text or ""
    if len(text) > MAX_TEXT:
        return wording.TOO_LONG
    parse = services.engine.parse(text) if text else Parse("", "photo", "其他", "一般", 1.0)
    with transaction(db):
        user = ensure_user(db, inbound.user_id, now, inbound.display_name)
        inserted = db.execute(
            "INSERT INTO messages (channel, channel_msg_id, sender, chat, kind, text, photos, location, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [inbound.channel, inbound.msg_id, inbound.user_id, inbound.chat, inbound.kind, text,
             json.dumps(inbound.photos, ensure_ascii=False),
             json.dumps(inbound.location) if inbound.location else None, iso(now)],
        )
        if not inserted.rowcount:
            row = db.execute("SELECT reply FROM messages WHERE channel = ? AND channel_msg_id = ?",
                             [inbound.channel, inbound.msg_id]).fetchone()
            return row[0] or ""
        turn = Turn(services, db, inbound, user, parse, now, inserted.lastrowid)
        reply = _dispatch(turn)
        db.execute("UPDATE messages SET reply = ?, ticket_id = ? WHERE id = ?",
                   [reply, turn.ticket_id, turn.message_id])
    return reply


def _dispatch(turn: Turn) -> str:
    if turn.inbound.kind == "event":
        return HANDLERS["event"](turn)
    pending = None if turn.inbound.chat else _pending(turn)     # a group message never answers a 1:1 question
    if pending and turn.parse.intent in ("report", "chitchat", "question", "photo", "location"):
        return _continue_pending(turn, pending)
    if turn.inbound.photos and not turn.inbound.text:
        return _add_result_photo(turn) or _add_to_recent_report(turn) or _wait_for_words(turn)
    if turn.inbound.location and not turn.inbound.text:
        return _wait_for_words(turn)
    return _run_handler(turn)


# ---------------------------------------------------------------- pending state: photo first, or place missing


def _pending(turn: Turn) -> dict[str, Any] | None:
    row = turn.db.execute("SELECT state, data, updated_at FROM conversations WHERE user_id = ?",
                          [turn.user["id"]]).fetchone()
    if not row:
        return None
    window = timedelta(minutes=turn.config.settings.dispatch.photo_join_minutes)
    if turn.now - parse_iso(row[2]) > window:
        _clear_pending(turn)
        return None
    return {"state": row[0], **json.loads(row[1])}


def _set_pending(turn: Turn, state: str, data: dict[str, Any]) -> None:
    turn.db.execute(
        "INSERT INTO conversations (user_id, state, data, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET state = excluded.state, data = excluded.data, "
        "updated_at = excluded.updated_at",
        [turn.user["id"], state, json.dumps(data, ensure_ascii=False), iso(turn.now)])


def _clear_pending(turn: Turn) -> None:
    turn.db.execute("DELETE FROM conversations WHERE user_id = ?", [turn.user["id"]])


def _add_result_photo(turn: Turn) -> str | None:
    """A handler's photo alone shows the work on the ticket in hand (or just closed)."""
    if not is_staff(turn.user):
        return None
    window = timedelta(minutes=turn.config.settings.dispatch.photo_join_minutes)
    work = tickets.current_work(turn.db, turn.user["id"], turn.now - window)
    if work is None:
        return None                  # no work in hand: the photo is their own report, as anyone's
    tickets.add_photos(turn.db, work["id"], turn.inbound.photos, "result", turn.now, turn.message_id)
    turn.ticket_id = work["id"]
    return wording.result_photo_added(work["id"], done=work["state"] == "resolved")


def _add_to_recent_report(turn: Turn) -> str | None:
    """Words first, then the photo: a photo alone soon after a report belongs to that report."""
    window = timedelta(minutes=turn.config.settings.dispatch.photo_join_minutes)
    row = turn.db.execute("SELECT id FROM tickets WHERE reporter = ? AND created_at >= ? ORDER BY id DESC LIMIT 1",
                          [turn.user["id"], iso(turn.now - window)]).fetchone()
    if row is None:
        return None
    tickets.add_photos(turn.db, row[0], turn.inbound.photos, "report", turn.now, turn.message_id)
    turn.ticket_id = row[0]
    return "" if turn.inbound.chat else wording.photo_added(row[0])


def _wait_for_words(turn: Turn) -> str:
    pending = _pending(turn) or {"photos": [], "location": None}
    pending.pop("state", None)
    pending["photos"] = pending.get("photos", []) + turn.inbound.photos
    if turn.inbound.location:
        pending["location"] = list(turn.inbound.location)
        pending["label"] = turn.inbound.location_label
    _set_pending(turn, "awaiting_words", pending)
    if turn.inbound.chat:
        return ""
    return wording.ask_for_words("照片" if turn.inbound.photos else "位置")


def _continue_pending(turn: Turn, pending: dict[str, Any]) -> str:
    """Join the earlier photo/location or the earlier words with this message into one report."""
    if pending["state"] == "awaiting_words":
        if (turn.inbound.photos or turn.inbound.location) and not turn.inbound.text:
            return _wait_for_words(turn)
        turn.inbound.photos = pending.get("photos", []) + turn.inbound.photos
        if pending.get("location") and not turn.inbound.location:
            turn.inbound.location = tuple(pending["location"])
            turn.inbound.location_label = pending.get("label", "")
        if pending.get("text"):      # the place came first (「龙西小区」), now the problem
            if turn.parse.intent == "chitchat":
                return _run_handler(turn)          # 「谢谢」 says nothing about the problem: still waiting
            combined = turn.services.engine.parse(f"{pending['text']}，{turn.parse.text}")
            if combined.intent != "report":
                return _run_handler(turn)
            turn.parse = combined
        _clear_pending(turn)
        if turn.parse.intent in ("chitchat", "question", "photo"):
            turn.parse.intent = "report"
        return HANDLERS["report"](turn)
    # awaiting_place: the earlier words lacked a place; this message should name it.
    if _is_complete_report(turn):
        return _report_beside_the_waiting_one(turn, pending)
    combined = turn.services.engine.parse(f"{turn.parse.text} {pending['text']}")
    location = tuple(pending["location"]) if pending.get("location") else turn.inbound.location
    if not (combined.entities.where or location):
        return _still_no_place(turn, pending)
    _clear_pending(turn)
    combined.text = f"{pending['text']}（{turn.parse.text}）" if turn.parse.text else pending["text"]
    turn.parse = combined
    turn.inbound.photos = pending.get("photos", []) + turn.inbound.photos
    turn.inbound.location = location
    return HANDLERS["report"](turn)


def _is_complete_report(turn: Turn) -> bool:
    """A report with its own place and problem (「芙蓉苑小区天然气漏了」): a new matter, not the answer to
    「哪个小区？」 for the waiting one."""
    e = turn.parse.entities
    return (turn.parse.intent == "report" and bool(e.where)
            and _names_a_problem(turn.parse, turn.config)
            and not _names_only_a_place(turn.services.engine, turn.parse.text))


def _names_a_problem(parse: Parse, config: Config) -> bool:
    """Words of a problem: a category's keywords, an emergency, or a facility (路灯, 井盖)."""
    return bool(parse.emergency or parse.entities.facility or category_scores(parse.text, config.deployment))


def _report_beside_the_waiting_one(turn: Turn, pending: dict[str, Any]) -> str:
    """File the new report on its own; the waiting one keeps waiting for its place, and the reply says so."""
    reply = HANDLERS["report"](turn)
    _set_pending(turn, "awaiting_place", {k: v for k, v in pending.items() if k != "state"})
    if not _names_a_problem(turn.services.engine.parse(pending["text"]), turn.config):
        return reply                            # the waiting words named no problem: nothing to remind of
    return f"{reply}\n{wording.still_waiting_for_place(pending['text'])}"


def _still_no_place(turn: Turn, pending: dict[str, Any]) -> str:
    """The answer to 「哪个小区？」 named no place: the report keeps waiting, and no word of it is lost.

    More about the problem (「就在我家楼下」, 「3栋」) joins the words; a question is answered meanwhile.
    """
    if turn.parse.intent == "question":
        return _run_handler(turn)
    data = {k: v for k, v in pending.items() if k != "state"}
    data["photos"] = pending.get("photos", []) + turn.inbound.photos
    if turn.parse.text and (turn.parse.intent == "report" or turn.parse.entities.building):
        data["text"] = f"{pending['text']}，{turn.parse.text}"
    _set_pending(turn, "awaiting_place", data)
    return wording.ASK_PLACE_AGAIN


def _run_handler(turn: Turn) -> str:
    """The handler registered for the message's intent; an intent nobody handles gets a plain sentence."""
    handler = HANDLERS.get(turn.parse.intent)
    return handler(turn) if handler else wording.unknown_command(turn.parse.text)


# ---------------------------------------------------------------- residents and riders


def _route(turn: Turn) -> Route:
    return route(turn.parse, turn.config.deployment, turn.config.settings.nlu.review_threshold,
                 turn.inbound.location)


_PLACE_FILLER = re.compile(r"[\W\d_a-zA-Z]|我|住|在|家|是|的|了|这|那|里|边|附近|小区|号楼|栋|单元|室|号|楼")


def _names_only_a_place(engine: Engine, text: str) -> bool:
    """「广场花苑小区」, 「我住在平东小区」, 「芙蓉苑5栋 asdf」: a place and nothing about a problem."""
    rest = text
    for name in engine.gazetteer.places:
        rest = rest.replace(name.surface, "")
    return not _PLACE_FILLER.sub("", rest)


def files_in_group(services: Services, parse: Parse, with_photos: bool = False) -> bool:
    """Whether a message in a group chat becomes a ticket: a report at least as sure as
    nlu.group_report_threshold, or one that names a place or facility and a problem's words, saying what
    is wrong and not only where.

    Nobody in the group asked the bot, so 「哪家的外卖好吃」 (a weak report) files nothing and gets no
    reply. ``sandan import-chat`` asks this same question, so its --dry-run lists what a real run files.
    """
    if parse.intent != "report" or not (with_photos or not _names_only_a_place(services.engine, parse.text)):
        return False
    if parse.confidence >= services.config.settings.nlu.group_report_threshold:
        return True
    # less sure, but it names where and what (「龙西小区5栋楼道灯不亮了」 at 0.49): the problem words decide
    e = parse.entities
    names_what = parse.emergency or category_scores(parse.text, services.config.deployment)
    return bool((e.where or e.facility) and names_what)


@handles("report")
def report(turn: Turn) -> str:
    """File the report; an emergency's reply first tells the sender whom to call."""
    if turn.inbound.chat and not files_in_group(turn.services, turn.parse, bool(turn.inbound.photos)):
        return ""
    reply = _file_report(turn)
    emergency = turn.config.deployment.emergency_kind(turn.parse.emergency)
    return wording.call_first(emergency.call, emergency.also, reply) if emergency else reply


def _file_report(turn: Turn) -> str:
    """Ask where, join an open ticket about the same thing, or file a new one; the reply says which."""
    e = turn.parse.entities
    has_place = e.where or turn.inbound.location
    if not has_place and not turn.inbound.chat:
        _set_pending(turn, "awaiting_place", {"text": turn.parse.text, "photos": turn.inbound.photos,
                                              "location": None})
        return wording.ASK_PLACE
    if not turn.inbound.photos and _names_only_a_place(turn.services.engine, turn.parse.text):
        _set_pending(turn, "awaiting_words", {"text": turn.parse.text, "photos": [], "location": None})
        e = turn.parse.entities
        return wording.ask_what_happened(f"{e.where or turn.parse.text}{e.building or ''}")
    the_route = _route(turn)
    ticket, outcome = duplicates.file_or_join(turn.db, turn.config, turn.user["id"], turn.parse, the_route, turn.now,
                                              turn.inbound.photos, turn.message_id, _shared_location(turn.inbound),
                                              turn.inbound.sent_at)
    turn.ticket_id = ticket["id"]
    if outcome == "again":
        return wording.already_reported(ticket["id"])
    if outcome == "joined":
        return wording.ack_duplicate(ticket["id"], ticket["reporters"])
    handler = turn.config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    deadline = local_text(ticket["deadline_at"], turn.config.settings.dispatch.timezone)
    return wording.ack_report(ticket["id"], handler, deadline, the_route.needs_review, the_route.handling)


def _shared_location(inbound: Inbound) -> tickets.Location | None:
    if inbound.location is None:
        return None
    return tickets.Location(inbound.location[0], inbound.location[1], inbound.location_label)


@handles("question")
def question(turn: Turn) -> str:
    item = turn.services.knowledge.search(turn.parse.text)
    if item is None and turn.inbound.chat:
        return ""        # a question to the group is for the group
    if item is None:
        _to_a_person(turn, "知识库无答案，转人工答复")
        return wording.no_answer()
    return wording.answer(item.title, list(item.fields))


@handles("human")
def human(turn: Turn) -> str:
    if turn.inbound.chat:
        return ""
    _to_a_person(turn, "居民要求人工答复")
    return wording.TO_A_PERSON


def _to_a_person(turn: Turn, why: str) -> None:
    """A ticket in the community dispatcher's review queue, so a person in the community answers."""
    the_route = _route(turn)
    review = Route("reply", the_route.category, the_route.community_id, the_route.grid_id, None, True, why)
    tickets.create_ticket(turn.db, turn.config, turn.user["id"], turn.parse, review, turn.now)


@handles("greeting")
def greeting(turn: Turn) -> str:
    return "" if turn.inbound.chat else wording.GREETING


@handles("chitchat", "photo")
def chitchat(turn: Turn) -> str:
    return "" if turn.inbound.chat else wording.CHITCHAT


@handles("withdraw")
def withdraw(turn: Turn) -> str:
    ticket_id = turn.parse.args["ticket"]
    try:
        tickets.withdraw(turn.db, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now)
    except (tickets.TicketNotFound, tickets.NotAllowed):
        return wording.no_such_ticket(ticket_id)     # only the reporter may, and nobody learns it exists
    except tickets.OthersStillWaiting:
        return wording.others_still_waiting(ticket_id)
    except TransitionError as e:
        if _withdrawn_by_reporter(tickets.get_ticket(turn.db, ticket_id), tickets.last_update(turn.db, ticket_id)):
            return wording.already_withdrawn(ticket_id)
        return wording.cannot_withdraw(ticket_id, e.current)
    return wording.withdrawn(ticket_id)


def _withdrawn_by_reporter(ticket: dict[str, Any], last: dict[str, Any]) -> bool:
    """A 驳回 the reporter made themselves (tickets.withdraw), told apart from the community's by its last event."""
    return last["kind"] == "rejected" and last["actor"] == ticket["reporter"]


@handles("help")
def help_(turn: Turn) -> str:
    return wording.HELP


@handles("missing_number")
def missing_number(turn: Turn) -> str:
    return wording.missing_number(turn.parse.args["verb"])


@handles("event")
def event(turn: Turn) -> str:
    return wording.WELCOME if turn.inbound.text == "subscribe" else ""


@handles("my_tickets")
def my_tickets(turn: Turn) -> str:
    """A resident's own reports; for staff, their open work first (their own reports when there is none)."""
    if is_staff(turn.user):
        work, total = digests.staff_work(turn.db, turn.user)
        if work:
            return wording.staff_work(work, total, turn.config.settings.dispatch.timezone, turn.user["role"])
    rows, total = tickets.reporter_tickets(turn.db, turn.user["id"])
    if rows:
        return wording.my_tickets(rows, total)
    return wording.NO_WORK if is_staff(turn.user) else wording.NO_TICKETS


@handles("status")
def status(turn: Turn) -> str:
    ticket_id = turn.parse.args["ticket"]
    try:
        ticket = tickets.get_ticket(turn.db, ticket_id)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    if not tickets.may_see(turn.db, turn.user, ticket):
        return wording.no_such_ticket(ticket_id)   # never reveal that someone else's ticket exists
    deployment = turn.config.deployment
    handler = deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    if ticket["claimed_by"]:
        handler += f"（{get_user(turn.db, ticket['claimed_by']).get('display_name') or '已接单'}）"
    last = tickets.last_update(turn.db, ticket_id)
    tz = turn.config.settings.dispatch.timezone
    withdrawn = _withdrawn_by_reporter(ticket, last)
    last_name = wording.WITHDRAWN if withdrawn else wording.STATE_NAMES.get(last["kind"], last["kind"])
    last_text = f"{local_text(last['at'], tz)[5:]} {last_name}"
    # A person's note says what was done (已换灯泡, 驳回的理由); the system's routing reasons are for staff.
    if last["kind"] != "received" and last["note"] and (last["actor"] != "system" or is_staff(turn.user)):
        last_text += f"（{last['note'][:40]}）"
    photos = tickets.result_photos(turn.db, ticket_id)
    return wording.status(ticket, handler, local_text(ticket["deadline_at"], tz), last_text, len(photos),
                          [p["url"] for p in photos], withdrawn)


@handles("rate")
def rate(turn: Turn) -> str:
    value = turn.parse.args["value"]
    try:
        rated = tickets.rate(turn.db, turn.config, turn.parse.args.get("ticket"), turn.user, value,
                             turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.nothing_to_rate()
    except TransitionError as e:
        return wording.not_waiting_for_rating(e.ticket_id, e.current)
    turn.ticket_id = rated.ticket["id"]
    return wording.thanks_for_rating(rated.ticket["id"], value, rated.ticket["state"], rated.decided,
                                     rated.still_waiting)


# ---------------------------------------------------------------- staff


def _staff_only(turn: Turn) -> str | None:
    return None if is_staff(turn.user) else wording.NOT_STAFF


@handles("claim")
def claim(turn: Turn) -> str:
    if refusal := _staff_only(turn):
        return refusal
    ticket_id = turn.parse.args["ticket"]
    try:
        tickets.claim(turn.db, turn.config, ticket_id, turn.user, turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NOT_ALLOWED
    except tickets.AlreadyClaimed as e:
        return wording.claimed_by_other(ticket_id, e.who)
    except TransitionError as e:
        return wording.wrong_state(ticket_id, e.current)
    return wording.claimed(ticket_id)


@handles("resolve")
def resolve(turn: Turn) -> str:
    if refusal := _staff_only(turn):
        return refusal
    ticket_id = turn.parse.args["ticket"]
    try:
        tickets.resolve(turn.db, turn.config, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now,
                        turn.inbound.photos)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NOT_ALLOWED
    except TransitionError as e:
        return wording.wrong_state(ticket_id, e.current)
    return wording.resolved(ticket_id)


from bot import chat_points  # noqa: E402,F401  registers 积分 / 排行榜 / 兑换 (imports this module back)
from bot import chat_staff  # noqa: E402,F401  registers 处理中 / 转交 / 派单 / 驳回 / 联席 / 绑定
