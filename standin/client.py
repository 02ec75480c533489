"""The push side of the stand-in: plays WeChat's servers toward the bot's callback URL.

Messages are built, signed and encrypted as WeChat's servers do: the XML fields of each message type, the
query string (signature over token/timestamp/nonce; msg_signature over those and the cipher text), AES
with the account's EncodingAESKey and the app id (or corp id) appended. Replies are checked and decrypted
the same way, so a test reads the text a WeChat user would see.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

import requests
import xmltodict
from wechatpy.crypto import PrpCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WorkPrpCrypto
from wechatpy.utils import to_text


class Transport(Protocol):
    def request(self, method: str, path: str, params: dict[str, str], body: str) -> tuple[int, str]: ...


class HttpTransport:
    """Posts to a running bot over HTTP, as WeChat does."""

    def __init__(self, base_url: str, timeout: float = 10) -> None:
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def request(self, method: str, path: str, params: dict[str, str], body: str) -> tuple[int, str]:
        r = requests.request(method, self.base_url + path, params=params, data=body.encode("utf-8"),
                             headers={"Content-Type": "text/xml"}, timeout=self.timeout)
        return r.status_code, r.text


class FlaskTransport:
    """Posts through a Flask test client (same bytes, no sockets)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def request(self, method: str, path: str, params: dict[str, str], body: str) -> tuple[int, str]:
        r = self.client.open(path, method=method, query_string=params, data=body.encode("utf-8"),
                             content_type="text/xml")
        return r.status_code, r.get_data(as_text=True)


@dataclass
class Reply:
    status: int
    body: str              # what the bot answered, as sent
    text: str              # the reply's Content after decryption ("" for "success")
    message: dict[str, Any] | None = None


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def to_xml(fields: dict[str, Any]) -> str:
    """WeChat's message XML: text in CDATA, numbers bare."""
    inner = "".join(f"<{k}>{v if isinstance(v, int) else _cdata(str(v))}</{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>"


_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


class WeChatServer:
    """Sends a WeChat user's messages to the bot.

    :param mode: "aes" (safe mode), "compatible" (plaintext and cipher text) or "plain".
    :param standin_url: the stand-in API's base (http://host:port); pictures are kept there so the bot can
        download them through /cgi-bin/media/get, as from WeChat.
    """

    path = "/wechat"

    def __init__(self, transport: Transport, token: str, aes_key: str, app_id: str, standin_url: str = "",
                 mode: str = "aes", account: str = "gh_sandan_demo") -> None:
        self.transport, self.token, self.app_id, self.mode = transport, token, app_id, mode
        self.aes_key, self.account, self.standin_url = aes_key, account, standin_url.rstrip("/")
        self.last: tuple[dict[str, str], str] | None = None

    # ---------------------------------------------------------------- the messages a user can send

    def text(self, openid: str, content: str, msg_id: int | None = None) -> Reply:
        return self.send(openid, "text", {"Content": content}, msg_id)

    def image(self, openid: str, content: bytes, content_type: str = "image/png") -> Reply:
        media_id = self.upload(content, content_type)
        return self.send(openid, "image", {"PicUrl": f"{self.standin_url}/_standin/pic/{media_id}",
                                           "MediaId": media_id})

    def voice(self, openid: str, recognition: str, content: bytes | None = None) -> Reply:
        """A voice message; with ``content`` the recording is kept for the media API, and an empty
        ``recognition`` leaves the Recognition field out, as for an account without 语音识别."""
        media_id = self.upload(content, "audio/amr") if content is not None else "VOICE_" + secrets.token_hex(6)
        fields: dict[str, Any] = {"MediaId": media_id, "Format": "amr"}
        if recognition or content is None:
            fields["Recognition"] = recognition
        return self.send(openid, "voice", fields)

    def video(self, openid: str, content: bytes, thumb: bytes, msg_type: str = "video") -> Reply:
        """A video (or a 小视频 with msg_type "shortvideo") and its thumbnail, both kept for the media API."""
        return self.send(openid, msg_type, {"MediaId": self.upload(content, "video/mp4"),
                                            "ThumbMediaId": self.upload(thumb, "image/jpeg")})

    def location(self, openid: str, lat: float, lon: float, label: str = "", scale: int = 15) -> Reply:
        return self.send(openid, "location", {"Location_X": f"{lat:.6f}", "Location_Y": f"{lon:.6f}",
                                              "Scale": scale, "Label": label})

    def link(self, openid: str, title: str, description: str, url: str) -> Reply:
        return self.send(openid, "link", {"Title": title, "Description": description, "Url": url})

    def event(self, openid: str, event: str, create_time: int | None = None, **extra: Any) -> Reply:
        """An event; ``extra`` adds its fields (EventKey="qrscene_42", Ticket=…, ChangeType=…)."""
        fields = {"ToUserName": self.account, "FromUserName": openid, "CreateTime": create_time or int(time.time()),
                  "MsgType": "event", "Event": event, **extra}
        return self.post(fields)

    def send(self, openid: str, msg_type: str, extra: dict[str, Any], msg_id: int | None = None) -> Reply:
        fields = {"ToUserName": self.account, "FromUserName": openid, "CreateTime": int(time.time()),
                  "MsgType": msg_type, **extra, "MsgId": msg_id or next(_msg_ids)}
        return self.post(fields)

    def upload(self, content: bytes, content_type: str) -> str:
        r = requests.post(f"{self.standin_url}/_standin/media", data=content,
                          headers={"Content-Type": content_type}, timeout=10)
        r.raise_for_status()
        return r.json()["media_id"]

    # ---------------------------------------------------------------- the protocol

    def crypto(self) -> PrpCrypto:
        return PrpCrypto(base64.b64decode(self.aes_key + "="))

    def encrypt(self, xml: str) -> str:
        return to_text(self.crypto().encrypt(xml, self.app_id))

    def decrypt(self, encrypted: str) -> str:
        return to_text(self.crypto().decrypt(encrypted, self.app_id))

    def post(self, fields: dict[str, Any], tamper: bool = False, xml: str | None = None) -> Reply:
        """Sign (and encrypt) one message and post it; ``tamper`` signs with a wrong token.

        :param xml: a message's XML as documented, sent as it is instead of ``fields`` (which then need only
            ToUserName and FromUserName).
        """
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        token = self.token + ("x" if tamper else "")
        params = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "openid": str(fields["FromUserName"])}
        xml = xml or to_xml(fields)
        if self.mode == "plain":
            body = xml
        else:
            encrypted = self.encrypt(xml)
            params |= {"encrypt_type": "aes", "msg_signature": signature(token, timestamp, nonce, encrypted)}
            outer = dict(fields) if self.mode == "compatible" else {"ToUserName": fields["ToUserName"]}
            body = to_xml({**outer, "Encrypt": encrypted})
        self.last = (params, body)
        return self.deliver(params, body)

    def replay(self) -> Reply:
        """Send the last request again, byte for byte (WeChat retries when the bot is slow)."""
        assert self.last, "nothing sent yet"
        return self.deliver(*self.last)

    def deliver(self, params: dict[str, str], body: str) -> Reply:
        status, answer = self.transport.request("POST", self.path, params, body)
        return self.read_reply(status, answer)

    def read_reply(self, status: int, answer: str) -> Reply:
        if status != 200 or answer in ("", "success"):
            return Reply(status, answer, "")
        message = xmltodict.parse(answer)["xml"]
        if "Encrypt" in message:
            expected = signature(self.token, message["TimeStamp"], message["Nonce"], message["Encrypt"])
            if expected != message["MsgSignature"]:
                raise AssertionError("the bot's reply has a wrong MsgSignature")
            message = xmltodict.parse(self.decrypt(message["Encrypt"]))["xml"]
        return Reply(status, answer, message.get("Content") or "", message)

    def verify(self, echostr: str = "", tamper: bool = False) -> tuple[int, str]:
        """The GET WeChat sends when the callback URL is configured."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        echostr = echostr or secrets.token_hex(8)
        token = self.token + ("x" if tamper else "")
        params = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "echostr": echostr}
        return self.transport.request("GET", self.path, params, "")


class WorkWeChatServer(WeChatServer):
    """企业微信's servers: always AES, signed with msg_signature only, the corp id inside the cipher text."""

    path = "/work-wechat"

    def __init__(self, transport: Transport, token: str, aes_key: str, corp_id: str, agent_id: int,
                 standin_url: str = "") -> None:
        super().__init__(transport, token, aes_key, corp_id, standin_url, mode="aes", account=corp_id)
        self.agent_id = agent_id

    def crypto(self) -> WorkPrpCrypto:
        return WorkPrpCrypto(base64.b64decode(self.aes_key + "="))

    def send(self, openid: str, msg_type: str, extra: dict[str, Any], msg_id: int | None = None) -> Reply:
        return super().send(openid, msg_type, {**extra, "AgentID": self.agent_id}, msg_id)

    def post(self, fields: dict[str, Any], tamper: bool = False, xml: str | None = None) -> Reply:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        token = self.token + ("x" if tamper else "")
        encrypted = self.encrypt(xml or to_xml(fields))
        params = {"msg_signature": signature(token, timestamp, nonce, encrypted), "timestamp": timestamp,
                  "nonce": nonce}
        body = to_xml({"ToUserName": self.account, "AgentID": self.agent_id, "Encrypt": encrypted})
        self.last = (params, body)
        return self.deliver(params, body)

    def verify(self, echostr: str = "", tamper: bool = False) -> tuple[int, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        encrypted = self.encrypt(echostr or secrets.token_hex(8))
        token = self.token + ("x" if tamper else "")
        params = {"msg_signature": signature(token, timestamp, nonce, encrypted), "timestamp": timestamp,
                  "nonce": nonce, "echostr": encrypted}
        return self.transport.request("GET", self.path, params, "")
