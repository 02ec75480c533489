"""Malformed input gets a 4xx or a plain reply, never a 500: numbers too big for the store, impossible
points, messages with no sender; and two events of one user in one second are two."""

from __future__ import annotations

import secrets
import time

import pytest

import wording
from standin.client import FlaskTransport, WeChatServer, signature, to_xml

HUGE = "9" * 30


@pytest.mark.parametrize("path", [f"/open311/v2/requests/{HUGE}.json",
                                  f"/open311/v2/requests.json?service_request_id={HUGE},²,1",
                                  f"/api/inbox?user=api:x&after={HUGE}", f"/api/inbox?user=api:x&after=-{HUGE}"])
def test_numbers_too_big_for_the_store_are_not_a_500(client, path):
    r = client.get(path, headers={"X-Api-Key": "test-api-key"})
    assert r.status_code in (200, 404), r.get_data(as_text=True)


@pytest.mark.parametrize("point", [["nan", 116.0], [29.7, "inf"], [91, 116.0], [29.7, -181], ["-inf", "nan"]])
def test_an_impossible_point_is_refused(client, db, point):
    r = client.post("/api/messages", json={"sender": "geo", "text": "路灯不亮", "location": point},
                    headers={"X-Api-Key": "test-api-key"})
    assert r.status_code == 400
    r = client.post("/open311/v2/requests.json", data={"service_code": "基础设施维护", "description": "路灯不亮",
                                                       "lat": point[0], "long": point[1], "api_key": "test-api-key"})
    assert r.status_code == 400
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_an_impossible_wechat_location_is_no_location(client, services, db):
    s = services.config.settings.wechat
    wechat = WeChatServer(FlaskTransport(client), s.token, s.aes_key, s.app_id)
    wechat.send("oGeo00000000000000000000001", "location", {"Location_X": "nan", "Location_Y": "inf", "Scale": 15,
                                                            "Label": "x"})
    reply = wechat.text("oGeo00000000000000000000001", "广场花苑小区3栋的垃圾桶坏了")
    assert "工单号" in reply.text
    assert db.execute("SELECT lat, lon FROM tickets").fetchone() == (None, None)


def test_a_message_without_a_sender_is_refused_not_merged(client, services, db):
    s = services.config.settings.wechat
    wechat = WeChatServer(FlaskTransport(client), s.token, s.aes_key, s.app_id)
    for n in range(2):
        xml = (f"<xml><ToUserName>gh</ToUserName><CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
               f"<Content>我的工单</Content><MsgId>{880000 + n}</MsgId></xml>")
        timestamp, nonce, encrypted = str(int(time.time())), secrets.token_hex(5), wechat.encrypt(xml)
        params = {"signature": signature(s.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "encrypt_type": "aes", "msg_signature": signature(s.token, timestamp, nonce, encrypted)}
        assert wechat.deliver(params, to_xml({"ToUserName": "gh", "Encrypt": encrypted})).status == 400
    assert db.execute("SELECT count(*) FROM users WHERE id LIKE 'wechat:%'").fetchone()[0] == 0


def test_two_events_of_one_user_in_one_second_are_both_handled(client, services, db):
    """A scan and then a subscribe in the same second: the welcome was lost as a 'retry' of the scan."""
    s = services.config.settings.wechat
    wechat = WeChatServer(FlaskTransport(client), s.token, s.aes_key, s.app_id)
    assert wechat.event("oTwice000000000000000000001", "SCAN", create_time=1700000000).body == "success"
    assert wechat.event("oTwice000000000000000000001", "subscribe", create_time=1700000000).text == wording.WELCOME
