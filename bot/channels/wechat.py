"""WeChat Official Account (公众号) and 企业微信: messages in, replies out, pushes and media through the API.

This package is the only place that imports wechatpy. Everything it hands to the rest of the bot is an
Inbound; everything it gets back is text.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree
from xml.parsers.expat import ExpatError

import requests
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.enterprise import parse_message as parse_work_message
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_signature

from bot.channels.clients import OfficialAccountClient, WorkClient
from dispatch import media
from dispatch.clock import parse_iso, utcnow
from dispatch.outbox import Unconfirmed
from dispatch.store import location as store_location
from settings import Config

log = logging.getLogger(__name__)

#: WeChat lets an account send customer-service messages only this long after the user last wrote.
SERVICE_WINDOW = timedelta(hours=48)
#: A signed callback older (or newer) than this is refused: a captured request cannot be replayed later.
#: WeChat's own retries of one message come within about 15 seconds.
TIMESTAMP_TOLERANCE_SECONDS = 300
#: 45015: the user has not written within the window; 45047: too many messages in it.
OUT_OF_WINDOW = (45015, 45047)


class BadSignature(Exception):
    """The request was not signed with our token: not from WeChat."""


class StaleTimestamp(BadSignature):
    """Correctly signed, but its timestamp is far from our clock: ``skew`` seconds (ours minus WeChat's)."""

    def __init__(self, skew: float) -> None:
        super().__init__(f"stale timestamp ({skew:+.0f} s)")
        self.skew = skew


class BadMessage(Exception):
    """The body is not a WeChat message we can read."""


@dataclass
class Callback:
    """One verified, decrypted callback, and how to answer it."""

    message: Any
    crypto: WeChatCrypto | WorkCrypto | None
    nonce: str
    timestamp: str

    def render(self, text: str) -> str:
        """The passive reply: a text message (encrypted when the callback was), or "success"."""
        if not text:
            return "success"
        xml = create_reply(cdata_safe(text), self.message, render=True)
        if self.crypto is None:
            return xml
        return self.crypto.encrypt_message(xml, self.nonce, self.timestamp)


def cdata_safe(text: str) -> str:
    """wechatpy puts the reply inside <![CDATA[…]]> as it is, so a 「]]>」 a person typed (echoed back in 「没有
    「…」这个奖品」) would end the section and break the XML; split it across two sections instead."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def aes_key_ok(key: str) -> bool:
    """An EncodingAESKey is 43 base64 characters standing for a 32-byte AES key."""
    try:
        return len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _parse(parse: Callable[[str], Any], xml: str) -> Any:
    try:
        message = parse(xml)
    except (ExpatError, ValueError, KeyError, TypeError, AttributeError) as e:
        # ValueError also covers xmltodict refusing entity declarations (no billion-laughs expansion).
        raise BadMessage(str(e))
    if message is None:
        raise BadMessage("empty body")
    return message


def flat_fields(xml: str) -> dict[str, str | None] | None:
    """The fields of a flat ``<xml>`` document (a WeChat envelope or message) read the way wechatpy's parser
    (xmltodict) reads them: each child's text, stripped, None when empty. None for anything else (a declaration
    of any kind, nesting, attributes, a repeated name, text between the fields), which xmltodict then reads as
    before, refusing entity declarations.

    ElementTree builds the few elements in C; xmltodict calls Python for every element, and the two documents of
    a callback (the envelope, the message in it) were half of reading it.
    """
    if xml.count("<!") != xml.count("<![CDATA[") or "<?" in xml:
        return None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    if root.tag != "xml" or root.attrib or (root.text or "").strip():
        return None
    fields: dict[str, str | None] = {}
    for child in root:
        if len(child) or child.attrib or child.tag in fields or (child.tail or "").strip():
            return None
        fields[child.tag] = (child.text or "").strip() or None
    return fields or None


def parse_official(xml: str) -> Any:
    """wechatpy's ``parse_message``, reading a flat message with :func:`flat_fields`; the message classes and the
    event names are wechatpy's own."""
    message = flat_fields(xml)
    if message is None:
        return parse_message(xml)
    message_type = message["MsgType"].lower()
    if message_type != "event" and not message_type.startswith("device_"):
        return MESSAGE_TYPES.get(message_type, UnknownMessage)(message)
    event_type = message["Event"].lower() if "Event" in message else None
    if event_type is None and message_type.startswith("device_"):
        event_type = message_type
    elif message_type.startswith("device_"):
        event_type = f"device_{event_type}"
    if event_type == "subscribe" and message.get("EventKey"):
        event_key = message["EventKey"]
        if event_key.startswith(("scanbarcode|", "scanimage|")):
            event_type = message["Event"] = "subscribe_scan_product"
        elif event_key.startswith("qrscene_"):       # scanned a parametric QR code to follow
            event_type = message["Event"] = "subscribe_scan"
            message["EventKey"] = event_key[len("qrscene_"):]
    return EVENT_TYPES.get(event_type, UnknownMessage)(message)


def _fresh(timestamp: str) -> None:
    """Refuse a callback whose signed timestamp is far from now (a replayed capture).

    Called after the signature checked out, so a refusal here means our clock and WeChat's disagree (or a
    capture is replayed late): said loudly, since every callback fails until the clock is fixed.
    """
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        raise BadSignature("missing or malformed timestamp")
    skew = utcnow().timestamp() - int(timestamp)
    if abs(skew) > TIMESTAMP_TOLERANCE_SECONDS:
        log.error("a correctly signed WeChat callback is %+d s away from this server's clock (more than %d s "
                  "is refused): if every callback says so, fix the clock (NTP)", skew, TIMESTAMP_TOLERANCE_SECONDS)
        raise StaleTimestamp(skew)


def official_callback(config: Config, args: dict[str, str], body: str) -> Callback:
    """Verify and read a POST to /wechat.

    With ``wechat.aes_key`` set, only compatible or safe (AES) mode is accepted: the body must carry a
    ``msg_signature`` over its cipher text. Plaintext mode is for accounts without a key, because its
    ``signature`` does not cover the body (the (timestamp, nonce) pair is then held to one body, see
    dispatch/nonces.py).
    """
    s = config.settings.wechat
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    try:
        check_signature(s.token, args.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        raise BadSignature("signature")
    _fresh(timestamp)
    encrypted = args.get("encrypt_type") == "aes" and bool(args.get("msg_signature"))
    if s.aes_key:
        if not encrypted:
            raise BadSignature("plaintext callback refused: wechat.aes_key is set, so only encrypted bodies "
                               "signed with msg_signature are accepted")
        crypto = WeChatCrypto(s.token, s.aes_key, s.app_id)
        xml = _decrypt(crypto, flat_fields(body) or body, args["msg_signature"], timestamp, nonce)
        return Callback(_parse(parse_official, xml), crypto, nonce, timestamp)
    if encrypted:
        raise BadMessage("safe mode, but wechat.aes_key is not set")
    return Callback(_parse(parse_official, body), None, nonce, timestamp)


def official_echo(config: Config, args: dict[str, str]) -> str:
    """GET /wechat: WeChat checks the server by asking it to echo a string, signed with our token."""
    s = config.settings.wechat
    try:
        check_signature(s.token, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        raise BadSignature("signature")
    return args.get("echostr", "")


def work_crypto(config: Config) -> WorkCrypto:
    s = config.settings.work_wechat
    return WorkCrypto(s.token, s.aes_key, s.corp_id)


def work_echo(config: Config, args: dict[str, str]) -> str:
    """GET /work-wechat: 企业微信 sends the echo string encrypted; we decrypt it and answer the plaintext."""
    try:
        return work_crypto(config).check_signature(args.get("msg_signature", ""), args.get("timestamp", ""),
                                                   args.get("nonce", ""), args.get("echostr", ""))
    except (InvalidSignatureException, InvalidAppIdException, ValueError) as e:
        raise BadSignature(str(e) or "signature")


def work_callback(config: Config, args: dict[str, str], body: str) -> Callback:
    """A POST to /work-wechat: always AES."""
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    crypto = work_crypto(config)
    xml = _decrypt(crypto, body, args.get("msg_signature", ""), timestamp, nonce)
    _fresh(timestamp)
    return Callback(_parse(parse_work_message, xml), crypto, nonce, timestamp)


def _decrypt(crypto: WeChatCrypto | WorkCrypto, body: str | dict[str, str | None], signature: str, timestamp: str,
             nonce: str) -> str:
    """The message inside an envelope: its XML text, or its fields already read (:func:`flat_fields`)."""
    try:
        return crypto.decrypt_message(body, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise BadSignature("msg_signature")
    except (ExpatError, ValueError, KeyError, TypeError) as e:
        raise BadMessage(str(e))
    except Exception as e:  # noqa: BLE001 - a wrong app id or corrupt cipher text is a bad message
        raise BadMessage(f"cannot decrypt: {e}")


# ---------------------------------------------------------------- outbound


def _recent(user: dict[str, Any]) -> bool:
    last = user.get("last_inbound_at")
    return bool(last) and utcnow() - parse_iso(last) < SERVICE_WINDOW


def template_data(body: str) -> dict[str, dict[str, str]]:
    """The ticket-update template's fields: the first line as the heading, the rest as the remark."""
    first, _, rest = body.partition("\n")
    return {"first": {"value": first}, "remark": {"value": rest or first}}


def photo_media_ids(client: OfficialAccountClient | WorkClient, photos: list[dict[str, Any]], channel: str,
                    files: media.Files) -> list[str]:
    """The media ids to send a push's photos as image messages: a file the bot keeps (in the media folder or
    the store) is uploaded (media/upload); a photo that came in on this same account, not yet downloaded, is
    sent by its own media id; any other is left out (the text still says how many photos there are, and the
    dashboard shows them). Only files the bot keeps are ever read: a path from elsewhere is never sent to WeChat."""
    ids = []
    for photo in photos:
        data = files.read(photo.get("path"))
        if data is not None:
            name = Path(photo["path"]).name
            ids.append(client.call(lambda: _upload(client, name, data)))
        elif photo.get("media_id") and (photo.get("channel") or "wechat") == channel:
            ids.append(photo["media_id"])
        else:
            log.info("photo %s cannot be sent on %s yet; the push goes without it", photo.get("id"), channel)
    return ids


def _upload(client: OfficialAccountClient | WorkClient, name: str, data: bytes) -> str:
    result = client.media.upload("image", (name, io.BytesIO(data), media.content_type(name)))
    if not result.get("media_id"):
        raise WeChatClientException(result.get("errcode"), result.get("errmsg", "upload gave no media_id"))
    return result["media_id"]


class WeChatChannel:
    """Sends pushes to Official Account followers: customer-service messages inside 48 h (a push's photos as
    image messages after its text), templates after (a template carries no picture)."""

    def __init__(self, config: Config) -> None:
        self.settings = config.settings.wechat
        self.media = media.for_config(config)
        self.client = OfficialAccountClient(self.settings, store_location(config))

    def send(self, user: dict[str, Any], body: str, photos: list[dict[str, Any]] = ()) -> None:
        """:raises Unconfirmed: WeChat did not answer in time; it may have sent the message (never resend)."""
        try:
            self._send(user, body, photos)
        except requests.exceptions.ReadTimeout as e:
            raise Unconfirmed(f"WeChat did not answer within the timeout: {e}")

    def _send(self, user: dict[str, Any], body: str, photos: list[dict[str, Any]]) -> None:
        openid = user["external_id"]
        if _recent(user):
            try:
                self.client.call(lambda: self.client.message.send_text(openid, body))
            except WeChatClientException as e:
                if e.errcode not in OUT_OF_WINDOW:
                    raise
            else:
                for media_id in photo_media_ids(self.client, list(photos), "wechat", self.media):
                    self.client.call(lambda: self.client.message.send_image(openid, media_id))
                return
        self.send_template(openid, body)

    def send_template(self, openid: str, body: str) -> None:
        template_id = self.settings.template_ids.get("ticket_update")
        if not template_id:
            raise WeChatClientException(None, "wechat.template_ids.ticket_update is not set in config.yaml")
        self.client.call(lambda: self.client.message.send_template(openid, template_id, template_data(body)))


class WorkWeChatChannel:
    """Sends app messages to staff in 企业微信."""

    def __init__(self, config: Config) -> None:
        self.settings = config.settings.work_wechat
        self.media = media.for_config(config)
        self.client = WorkClient(self.settings, store_location(config),
                                 config.settings.wechat.token_refresh_retries)

    def send(self, user: dict[str, Any], body: str, photos: list[dict[str, Any]] = ()) -> None:
        """:raises Unconfirmed: 企业微信 did not answer in time; it may have sent the message (never resend)."""
        agent, to = self.settings.agent_id, user["external_id"]
        try:
            self.client.call(lambda: self.client.message.send_text(agent, to, body))
            for media_id in photo_media_ids(self.client, list(photos), "work_wechat", self.media):
                self.client.call(lambda: self.client.message.send_image(agent, to, media_id))
        except requests.exceptions.ReadTimeout as e:
            raise Unconfirmed(f"企业微信 did not answer within the timeout: {e}")

