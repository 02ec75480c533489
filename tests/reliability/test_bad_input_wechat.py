"""Bad input through /wechat in safe mode, beyond the channel's own tests: a wrong AES key, hostile XML
inside a correctly signed and encrypted body, non-UTF-8, a 10 MB body, a stale replay, odd texts.

Each gets the right status or a clear reply, and nothing is half-written.
"""

from __future__ import annotations

import secrets
import time

import pytest

import wording
from reliability_helpers import app, counts, services  # noqa: F401  one shared app per module
from standin.client import FlaskTransport, WeChatServer, signature, to_xml

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']><xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>'
                    '<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>')
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh'
       '</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>'
       '<Content>&xxe;</Content><MsgId>2</MsgId></xml>')


@pytest.fixture
def wechat(client, services) -> WeChatServer:
    w = services.config.settings.wechat
    return WeChatServer(FlaskTransport(client), w.token, w.aes_key, w.app_id, mode="aes")


def signed(wechat: WeChatServer, inner_xml: str, timestamp: str | None = None) -> tuple[dict[str, str], str]:
    """A correctly signed, correctly encrypted envelope around any inner XML (as a hostile sender with the
    keys — or a bug upstream — could send)."""
    timestamp, nonce = timestamp or str(int(time.time())), secrets.token_hex(5)
    encrypted = wechat.encrypt(inner_xml)
    params = {"signature": signature(wechat.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "openid": "o1", "encrypt_type": "aes", "msg_signature": signature(wechat.token, timestamp, nonce,
                                                                                encrypted)}
    return params, to_xml({"ToUserName": "gh_sandan_demo", "Encrypt": encrypted})


def post_raw(client, params: dict[str, str], body: bytes):
    return client.post("/wechat", query_string=params, data=body, content_type="text/xml")


@pytest.mark.parametrize("inner", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_tricks_inside_the_cipher_text_are_refused(wechat, client, db, inner: str):
    before = counts(db)
    started = time.perf_counter()
    params, body = signed(wechat, inner)
    r = post_raw(client, params, body.encode())
    assert r.status_code == 400
    assert time.perf_counter() - started < 2            # refused, not expanded
    assert "root:" not in r.get_data(as_text=True)
    assert counts(db)["messages"] == before["messages"]


@pytest.mark.parametrize("inner", [
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><MsgType>text",        # truncated
    "not xml at all",
    "<xml></xml>",
    "",
], ids=["truncated", "not-xml", "empty-xml", "empty"])
def test_broken_xml_inside_the_cipher_text_is_a_400(wechat, client, db, inner: str):
    before = counts(db)
    params, body = signed(wechat, inner)
    r = post_raw(client, params, body.encode())
    assert r.status_code in (200, 400)
    if r.status_code == 200:                     # an empty <xml/> may be read as an unsupported message
        assert counts(db)["tickets"] == before["tickets"]
    assert counts(db)["tickets"] == before["tickets"] and counts(db)["outbox"] == before["outbox"]


def test_a_message_encrypted_with_the_wrong_aes_key_is_refused(wechat, client, db):
    before = counts(db)
    stranger = WeChatServer(FlaskTransport(client), wechat.token, "Z" * 43, wechat.app_id, mode="aes")
    reply = stranger.text("oStranger", "广场花苑小区3栋的垃圾桶坏了")
    assert reply.status in (400, 403)
    assert counts(db) == before


def test_a_message_for_another_app_id_is_refused(wechat, client, db):
    before = counts(db)
    other = WeChatServer(FlaskTransport(client), wechat.token, wechat.aes_key, "wx_someone_else", mode="aes")
    assert other.text("oOther", "广场花苑小区3栋的垃圾桶坏了").status in (400, 403)
    assert counts(db)["messages"] == before["messages"]


@pytest.mark.parametrize("drop", ["signature", "timestamp", "nonce", "msg_signature"])
def test_a_missing_query_parameter_is_refused(wechat, client, db, drop: str):
    before = counts(db)
    params, body = signed(wechat, to_xml({"ToUserName": "gh", "FromUserName": "o1", "CreateTime": 1,
                                          "MsgType": "text", "Content": "路灯坏了", "MsgId": 77}))
    params.pop(drop)
    r = post_raw(client, params, body.encode())
    assert r.status_code in (400, 403)
    assert "Traceback" not in r.get_data(as_text=True)
    assert counts(db)["messages"] == before["messages"]


def test_non_utf8_bytes_are_refused_without_a_crash(wechat, client, db):
    before = counts(db)
    params, _ = signed(wechat, "<xml/>")
    r = post_raw(client, params, b"<xml><Encrypt>\xff\xfe\xfa\x00</Encrypt></xml>")
    assert r.status_code in (400, 403)
    assert counts(db)["messages"] == before["messages"]


def test_a_10_mb_body_is_413(wechat, client, db):
    before = counts(db)
    params, _ = signed(wechat, "<xml/>")
    r = post_raw(client, params, b"<xml><Encrypt>" + b"A" * (10 * 1024 * 1024) + b"</Encrypt></xml>")
    assert r.status_code == 413
    assert counts(db)["messages"] == before["messages"]


def test_a_captured_request_replayed_a_day_later_is_refused(wechat, client, db):
    before = counts(db)
    day_old = str(int(time.time()) - 86400)
    fields = {"ToUserName": "gh_sandan_demo", "FromUserName": "oReplay", "CreateTime": int(day_old),
              "MsgType": "text", "Content": "广场花苑小区31栋的垃圾桶坏了", "MsgId": 555001}
    params, body = signed(wechat, to_xml(fields), timestamp=day_old)
    first = post_raw(client, params, body.encode())
    again = post_raw(client, params, body.encode())
    assert first.status_code == again.status_code == 403
    assert counts(db) == before


@pytest.mark.parametrize("text, expect", [
    ("广场花苑小区3栋的垃圾桶坏了" + "！" * 5000, wording.TOO_LONG),
    ("广场花苑小区32栋的垃圾桶坏了🗑️😡<b>急</b>'; DROP TABLE tickets; --", "工单"),
])
def test_long_and_odd_texts_through_wechat(wechat, db, text: str, expect: str):
    before = counts(db)
    reply = wechat.text("oOdd", text)
    assert reply.status == 200 and expect in reply.text
    if expect == "工单":
        assert db.execute("SELECT text FROM tickets ORDER BY id DESC LIMIT 1").fetchone()[0] == text
    else:
        assert counts(db)["tickets"] == before["tickets"]


def test_an_empty_text_gets_a_plain_sentence(wechat, db):
    before = counts(db)
    reply = wechat.text("oEmpty", "")
    assert reply.status == 200
    assert counts(db)["tickets"] == before["tickets"]
