"""The callback URLs WeChat's servers call: /wechat (公众号) and /work-wechat (企业微信).

Each answers within WeChat's 5-second window: verify, decrypt, hand one Inbound to the conversation,
and return its reply as a passive reply. Pushes and photo downloads happen later in the worker.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from functools import lru_cache, partial
from typing import Callable

from flask import Blueprint, Flask, Response, abort, request
from sqlite_utils import Database

import wording
from bot import spool
from bot.channels.messages import event_inbound, message_inbound
from bot.channels.table import Does, fields, row_for
from bot.channels.wechat import (TIMESTAMP_TOLERANCE_SECONDS, BadMessage, BadSignature, Callback, StaleTimestamp,
                                 aes_key_ok,
                                 official_callback, official_echo, work_callback, work_echo)
from bot.conversation import handle
from bot.db import get_db, get_services
from bot.inbound import Inbound
from dispatch import nonces
from dispatch.clock import utcnow
from dispatch.store import WriterBusy, transaction
from dispatch.users import follow_contact_change
from settings import Config, ConfigError

log = logging.getLogger(__name__)

bp = Blueprint("wechat_callbacks", __name__)


def _plain(text: str) -> Response:
    return Response(text, content_type="text/plain; charset=utf-8")


def _answer(callback: Callback, channel: str, body: str) -> Response:
    """Do what bot/channels/table.py says for this type; whatever says nothing is answered "success"."""
    raw = fields(callback.message)
    row = row_for(raw)
    inbound = None
    if row.does == Does.CONVERSE:
        inbound = message_inbound(raw, channel)
    elif row.does not in (Does.ROSTER, Does.NOTHING):
        inbound = event_inbound(raw, channel, row)
    claim = partial(_claim_pair, callback, channel, body)
    if inbound is None:
        _claim_alone(claim, callback)
        if row.does == Does.ROSTER:
            _follow_roster(raw, channel)
        log.info("%s %s: %s, answered with nothing", channel, raw.get("MsgType"), row.what)
        return _plain("success")
    reply = _handle_in_time(inbound, claim, callback)
    if not reply:
        return _plain("success")
    return Response(callback.render(reply), content_type="application/xml; charset=utf-8")


def _handle_in_time(inbound: Inbound, claim: Callable[[Database], None], callback: Callback) -> str:
    """The conversation's reply, or — when the store's writer stays busy past wechat.writer_wait_seconds — a
    word that the message arrived: it is kept (bot/spool.py) and answered by a push once the store is free.
    WeChat gives up after 5 seconds; a reply after that is never seen.

    The signed pair is claimed in the message's own transaction (one write, one commit per callback).
    """
    services, db = get_services(), get_db()
    db.writer_wait = services.config.settings.wechat.writer_wait_seconds
    try:
        return handle(services, db, inbound, utcnow(), claim).text
    except nonces.UsedForAnotherBody:
        abort(403)
    except WriterBusy:
        if callback.crypto is None:
            abort(503)              # plaintext: the pair cannot be checked now; WeChat sends the message again
        spool.keep(services, inbound)   # an encrypted body is signed itself: a replay of it is WeChat's retry
        return wording.REPLY_AFTER_BUSY
    finally:
        db.writer_wait = None


def _claim_alone(claim: Callable[[Database], None], callback: Callback) -> None:
    """Claim the signed pair of a callback that stores nothing else (a contact change, an ignored type)."""
    db = get_db()
    db.writer_wait = get_services().config.settings.wechat.writer_wait_seconds
    try:
        with transaction(db):
            claim(db)
    except nonces.UsedForAnotherBody:
        abort(403)
    except WriterBusy:
        if callback.crypto is None:
            abort(503)
    finally:
        db.writer_wait = None


def _follow_roster(raw: dict[str, str], channel: str) -> None:
    db = get_db()
    with transaction(db):
        if follow_contact_change(db, channel, raw, utcnow()):
            log.info("roster: %s %s followed", raw.get("ChangeType"), raw.get("UserID"))


def _serve(enabled: bool, echo: Callable[[Config, dict[str, str]], str],
           read: Callable[[Config, dict[str, str], str], Callback], channel: str) -> Response:
    """Verify and answer one callback: GET echoes the check string, POST is a message."""
    config = get_services().config
    if not enabled:
        abort(404)
    args = request.args.to_dict()
    try:
        if request.method == "GET":
            return _plain(echo(config, args))
        body = request.get_data(as_text=True)
        callback = read(config, args, body)
    except StaleTimestamp as e:
        nonces.note_skew(get_db(), channel, e.skew, time.time())    # for /ready: the clock, not an attacker
        abort(403)
    except BadSignature:
        abort(403)
    except BadMessage:
        abort(400)
    if not callback.message.source:
        abort(400)                  # no FromUserName: nobody to answer, and no "wechat:None" to merge into
    return _answer(callback, channel, body)


def _claim_pair(callback: Callback, channel: str, body: str, db: Database) -> None:
    """A signed (timestamp, nonce) pair carries one body: the same bytes again are WeChat's retry, others a
    forgery (:class:`nonces.UsedForAnotherBody`)."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    nonces.claim(db, channel, callback.timestamp, callback.nonce, digest, time.time(), 2 * TIMESTAMP_TOLERANCE_SECONDS)


#: A callback URL's query: its signature is good for any plaintext body until the timestamp is stale.
_SIGNED_QUERY = re.compile(r"(/(?:work-)?wechat)\?[^\s\"]*")
#: The atoms a %-format names: "%(h)s", "%({referer}i)s".
_ATOM = re.compile(r"%\(([^)]*)\)")


def _without_query(value: object) -> object:
    return _SIGNED_QUERY.sub(r"\1?…", value) if isinstance(value, str) and "wechat?" in value else value


@lru_cache(maxsize=16)
def _printed_atoms(line_format: str) -> tuple[str, ...]:
    """The keys of gunicorn's atoms that an access-log format prints (its "{…}" keys are looked up in lower case)."""
    return tuple(dict.fromkeys(k.lower() if k.startswith("{") else k for k in _ATOM.findall(line_format)))


class HideCallbackQuery(logging.Filter):
    """Drops the query string of /wechat and /work-wechat from access-log lines (werkzeug's and gunicorn's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            # gunicorn's atoms (a dict subclass, edited in place): some sixty a request (every header and
            # environ value), of which the line prints the few its format names; only those are looked at
            # (the Redactor then formats the line and drops the atoms)
            atoms = record.args
            for key in _printed_atoms(record.msg) if isinstance(record.msg, str) else list(atoms):
                value = atoms.get(key)
                if isinstance(value, str) and "wechat?" in value:
                    atoms[key] = _SIGNED_QUERY.sub(r"\1?…", value)
            if "wechat" in str(atoms.get("U", "")) and _SIGNED_QUERY.search(f"{atoms.get('U', '')}?"):
                atoms["q"] = ""
            record.msg = _without_query(record.msg)
            return True
        record.msg = _without_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(a) for a in record.args)
        return True


@bp.route("/wechat", methods=["GET", "POST"])
def official() -> Response:
    s = get_services().config.settings.wechat
    # Without a token anyone could sign a callback: an unconfigured channel does not exist.
    return _serve(s.enabled and bool(s.token), official_echo, official_callback, "wechat")


@bp.route("/work-wechat", methods=["GET", "POST"])
def work() -> Response:
    s = get_services().config.settings.work_wechat
    return _serve(s.enabled and bool(s.token and s.aes_key), work_echo, work_callback, "work_wechat")


def validate_config(config: Config) -> None:
    """Fail at start, not on the first message, when an enabled channel's EncodingAESKey cannot work.

    :raises ConfigError: naming the key and the fix.
    """
    for section, settings in (("wechat", config.settings.wechat), ("work_wechat", config.settings.work_wechat)):
        if settings.enabled and settings.aes_key and not aes_key_ok(settings.aes_key):
            raise ConfigError(f"config.yaml: {section}.aes_key: not a WeChat EncodingAESKey; paste the 43 "
                              f"characters from the admin page (or set SANDAN_{section.upper()}_AES_KEY)")


def init_app(app: Flask) -> None:
    validate_config(app.config["SANDAN_SERVICES"].config)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideCallbackQuery) for f in logger.filters):
            logger.addFilter(HideCallbackQuery())
    app.register_blueprint(bp)
