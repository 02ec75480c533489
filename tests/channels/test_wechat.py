"""The Official Account channel end to end: signed, encrypted callbacks in; replies, tickets, photos, pushes out."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

import wording
from bot.channels import build_sender, channel_senders, clients
from bot.services import Services
from dispatch import media as media_files
from dispatch import nonces, outbox
from dispatch.clock import iso, utcnow
from dispatch.users import set_role
from standin.client import FlaskTransport, WeChatServer, signature, to_xml
from tests.channels.conftest import tiny_png
from tests.conftest import build_app

RIDER = "oRider000000000000000000001"
SECRETARY = "oSecretary00000000000000001"


def ticket_no(reply_text: str) -> int:
    m = re.search(r"工单号 (\d+)", reply_text)
    assert m, reply_text
    return int(m.group(1))


def tickets(db) -> list[dict]:
    return list(db.query("SELECT * FROM tickets ORDER BY id"))


@pytest.fixture
def secretary(db) -> str:
    """龙西一网格's secretary, following the Official Account."""
    set_role(db, f"wechat:{SECRETARY}", "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi",
             display_name="王书记")
    db.execute("UPDATE users SET last_inbound_at = ? WHERE id = ?", [iso(utcnow()), f"wechat:{SECRETARY}"])
    return SECRETARY


@pytest.fixture
def plaintext_account(services: Services, standin) -> WeChatServer:
    """An account that never set an EncodingAESKey: WeChat posts plaintext bodies."""
    s = services.config.settings
    settings = s.model_copy(update={"wechat": s.wechat.model_copy(update={"aes_key": ""})})
    plain = Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)
    client = build_app(plain).test_client()
    return WeChatServer(FlaskTransport(client), s.wechat.token, "", s.wechat.app_id, standin.url, mode="plain")


# ---------------------------------------------------------------- the callback protocol


def test_url_verification_echoes_only_when_signed(wechat):
    assert wechat.verify("echo-123") == (200, "echo-123")
    status, _ = wechat.verify("echo-123", tamper=True)
    assert status == 403


@pytest.mark.parametrize("mode", ["plain", "compatible", "aes"])
def test_every_mode_gets_a_reply_it_can_read(wechat, plaintext_account, mode):
    wechat.mode = mode
    reply = (plaintext_account if mode == "plain" else wechat).text(RIDER, "帮助")
    assert reply.status == 200 and reply.text == wording.HELP
    assert ("<Encrypt>" in reply.body) == (mode != "plain")
    assert reply.message["ToUserName"] == RIDER


@pytest.mark.parametrize("mode", ["plain", "aes"])
def test_a_reply_echoing_cdata_end_markers_stays_well_formed_xml(wechat, plaintext_account, mode):
    """A reward name typed as 「]]>」 comes back in the reply; WeChat must still read the whole reply."""
    wechat.mode = mode
    reply = (plaintext_account if mode == "plain" else wechat).text(RIDER, "兑换 雨]]>衣<b>&")
    assert reply.status == 200 and "雨]]>衣<b>&" in reply.text


def test_a_bad_signature_is_refused(wechat, plaintext_account, db):
    fields = {"ToUserName": "gh", "FromUserName": RIDER, "CreateTime": 1, "MsgType": "text",
              "Content": "广场花苑小区3栋的垃圾桶坏了", "MsgId": 42}
    assert wechat.post(fields, tamper=True).status == 403
    assert plaintext_account.post(fields, tamper=True).status == 403
    assert tickets(db) == []


def test_a_tampered_cipher_text_is_refused(wechat):
    wechat.text(RIDER, "帮助")
    params, body = wechat.last
    forged = body.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[AAAA")
    assert wechat.deliver(params, forged).status == 403


@pytest.mark.parametrize("body", [
    "this is not xml",
    "<xml><FromUserName>x</FromUserName></xml>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&b;</Content><MsgId>1</MsgId></xml>",
])
def test_malformed_or_entity_laden_xml_is_a_400(plaintext_account, body):
    plaintext_account.text(RIDER, "x")
    params, _ = plaintext_account.last
    params = {**params, "nonce": params["nonce"] + "b"}        # a fresh signed pair for the new body
    params["signature"] = signature(plaintext_account.token, params["timestamp"], params["nonce"])
    assert plaintext_account.deliver(params, body).status == 400


@pytest.mark.parametrize("drop", [("encrypt_type", "msg_signature"), ("msg_signature",), ("encrypt_type",)])
def test_with_an_aes_key_a_plaintext_body_is_refused_however_well_signed(wechat, db, drop):
    """The URL signature covers no body: a captured callback URL must not carry a body of the attacker's."""
    wechat.mode = "compatible"          # compatible mode's body also holds the message in the clear
    wechat.text(RIDER, "帮助")
    params, body = wechat.last
    forged = to_xml({"ToUserName": "gh", "FromUserName": SECRETARY, "CreateTime": params["timestamp"],
                     "MsgType": "text", "Content": "接单 1", "MsgId": 99})
    stripped = {k: v for k, v in params.items() if k not in drop}
    assert wechat.deliver(stripped, forged).status == 403
    assert wechat.deliver(stripped, body).status == 403
    assert db.execute("SELECT count(*) FROM messages WHERE sender = ?", [f"wechat:{SECRETARY}"]).fetchone()[0] == 0


def test_a_signed_callback_url_carries_one_body_only(plaintext_account, db):
    """Plaintext mode: the same bytes again are WeChat's retry; other bytes under a used URL are refused."""
    first = plaintext_account.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    params, body = plaintext_account.last
    forged = body.replace(RIDER, SECRETARY).replace("广场花苑小区3栋的垃圾桶坏了", "我的工单")
    assert plaintext_account.deliver(params, forged).status == 403
    assert plaintext_account.deliver(params, body).text == first.text
    assert [m["sender"] for m in db.query("SELECT sender FROM messages")] == [f"wechat:{RIDER}"]


def test_a_clock_far_from_wechats_is_logged_loudly_and_remembered_for_ready(wechat, db, caplog):
    """More than 5 minutes of skew made every callback a silent 403."""
    fields = {"ToUserName": "gh", "FromUserName": RIDER, "CreateTime": 1, "MsgType": "text", "Content": "帮助",
              "MsgId": 4242}
    timestamp, nonce = str(int(time.time()) - 600), "n600"
    params = {"signature": signature(wechat.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    encrypted = wechat.encrypt(to_xml(fields))
    params |= {"encrypt_type": "aes", "msg_signature": signature(wechat.token, timestamp, nonce, encrypted)}
    with caplog.at_level("ERROR"):
        assert wechat.deliver(params, to_xml({"ToUserName": "gh", "Encrypt": encrypted})).status == 403
    assert any("+600 s away from this server's clock" in m for m in caplog.messages)
    assert nonces.clock_skew(db, "wechat", time.time()) == pytest.approx(600, abs=5)


_HEAD = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oA]]></FromUserName><CreateTime>1700000000</CreateTime>"


@pytest.mark.parametrize("xml", [
    f"<xml>{_HEAD}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[  广场花苑 3栋 ]]></Content><MsgId>1</MsgId></xml>",
    f"<xml>{_HEAD}<MsgType>text</MsgType><Content><![CDATA[a ]]]]><![CDATA[> b &lt;]]></Content><MsgId>2</MsgId></xml>",
    f"<xml>\n  {_HEAD}\n  <MsgType><![CDATA[text]]></MsgType>\n  <Content>&lt;b&gt; &amp; 灯</Content>\n</xml>\n",
    f"<xml>{_HEAD}<MsgType><![CDATA[text]]></MsgType><Content></Content><MsgId>3</MsgId></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/p.png]]></PicUrl><MediaId>m1</MediaId></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[location]]></MsgType><Location_X>23.1</Location_X><Location_Y>113.2</Location_Y>"
    "<Scale>15</Scale><Label><![CDATA[东门]]></Label></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
    "<EventKey><![CDATA[qrscene_place:广场花苑小区:3栋]]></EventKey><Ticket>t</Ticket></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey></EventKey></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey>place:1</EventKey></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unknown_event]]></Event></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[device_text]]></MsgType><Content>eA==</Content></xml>",
    f"<xml>{_HEAD}<MsgType><![CDATA[miniprogrampage]]></MsgType><Title>t</Title></xml>",
    # not flat: wechatpy's own parser reads these, as before
    f"<xml>{_HEAD}<MsgType><![CDATA[event]]></MsgType><Event>location_select</Event>"
    "<SendLocationInfo><Location_X>23</Location_X><Label>门</Label></SendLocationInfo></xml>",
    f"<xml>{_HEAD}<MsgType>text</MsgType><Content><!-- a --><![CDATA[c]]></Content></xml>",
    f"<xml>{_HEAD}<MsgType>text</MsgType><Content><![CDATA[<!DOCTYPE x>]]></Content></xml>",
    f"<xml a='1'>{_HEAD}<MsgType>text</MsgType><Content>c</Content></xml>",
    f"<xml>{_HEAD}<MsgType>text</MsgType><Content>c</Content><Content>d</Content></xml>",
])
def test_a_message_is_read_as_wechatpy_reads_it(xml):
    """The callback reads flat messages without xmltodict; the message class and its fields are wechatpy's."""
    from wechatpy import parse_message

    from bot.channels.wechat import parse_official

    ours, theirs = parse_official(xml), parse_message(xml)
    assert type(ours) is type(theirs) and dict(ours._data) == dict(theirs._data)
    assert (getattr(ours, "content", None), ours.source, ours.type) == (getattr(theirs, "content", None),
                                                                         theirs.source, theirs.type)


@pytest.mark.parametrize("line_format", [
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"',      # gunicorn's own format
    '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms',                  # sandan serve's
    '%(q)s %({raw_uri}e)s %({Referer}i)s',                             # whatever an operator may print
])
def test_a_gunicorn_access_line_never_prints_a_callbacks_signed_query(line_format):
    """gunicorn hands the access logger some sixty atoms (every header and environ value); whichever of them the
    line's format prints, the callback's signed query is not among what it prints."""
    import logging

    from gunicorn.glogging import SafeAtoms

    from bot.channels.callbacks import HideCallbackQuery

    query = "signature=abc123&timestamp=1700000000&nonce=n42&encrypt_type=aes&msg_signature=def456"
    atoms = SafeAtoms({"h": "127.0.0.1", "l": "-", "u": "-", "t": "[03/Dec/2026:20:00:00 +0000]",
                       "r": f"POST /wechat?{query} HTTP/1.1", "s": "200", "m": "POST", "U": "/wechat", "q": query,
                       "H": "HTTP/1.1", "b": "321", "B": 321, "f": f"https://x.example/wechat?{query}",
                       "a": "Mozilla/5.0", "M": 4, "{raw_uri}e": f"/wechat?{query}",
                       "{referer}i": f"https://x.example/wechat?{query}", "{query_string}e": query})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, line_format, (atoms,), None)
    assert HideCallbackQuery().filter(record)
    line = record.getMessage()
    assert "abc123" not in line and "n42" not in line and "def456" not in line


@pytest.mark.parametrize("timestamp", ["9" * 400, "²", "-5", "1e9", ""])
def test_a_malformed_timestamp_is_refused_not_a_crash(wechat, timestamp):
    wechat.text(RIDER, "帮助")
    params, body = wechat.last
    params = {**params, "timestamp": timestamp, "signature": signature(wechat.token, timestamp, params["nonce"])}
    assert wechat.deliver(params, body).status == 403


# ---------------------------------------------------------------- message types


def test_text_report_files_a_ticket(wechat, db):
    reply = wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    n = ticket_no(reply.text)
    [ticket] = tickets(db)
    assert (ticket["id"], ticket["reporter"], ticket["grid_id"]) == (n, f"wechat:{RIDER}", "longxi-1")


def test_a_replayed_msg_id_makes_no_second_ticket(wechat, db):
    first = wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    again = wechat.replay()
    assert again.text == first.text
    assert len(tickets(db)) == 1
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_photo_then_words_make_one_report_and_the_photo_is_downloaded(wechat, db, download, services):
    png = tiny_png()
    first = wechat.image(RIDER, png)
    assert "收到照片" in first.text
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    assert len(tickets(db)) == 1
    [media] = list(db.query("SELECT * FROM media WHERE ticket_id = ?", [n]))
    assert media["media_id"].startswith("MEDIA_") and media["path"] is None
    assert download() == 1
    [media] = list(db.query("SELECT * FROM media WHERE ticket_id = ?", [n]))
    assert media_files.for_config(services.config).read(media["path"], db) == png and media["path"].endswith(".png")
    assert download() == 0


def test_an_expired_media_id_is_given_up(wechat, db, download, standin):
    wechat.image(RIDER, tiny_png())
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    standin.state.media.clear()           # WeChat keeps temporary media for three days only
    assert download() == 0
    assert db.execute("SELECT path FROM media").fetchone()[0] == ""
    assert download() == 0


def test_voice_uses_the_recognition_text(wechat, db):
    reply = wechat.voice(RIDER, "广场花苑小区3栋的垃圾桶坏了。")
    assert ticket_no(reply.text) == tickets(db)[0]["id"]


def test_location_then_words_make_one_report_routed_by_the_location(wechat, db):
    first = wechat.location(RIDER, 29.704, 116.014, "九江市濂溪区龙西小区附近")
    assert "收到位置" in first.text
    n = ticket_no(wechat.text(RIDER, "垃圾桶坏了好几天了").text)
    [ticket] = tickets(db)
    assert ticket["id"] == n and ticket["grid_id"] == "longxi-2"


def test_the_grid_is_told_where_a_shared_location_is_and_so_is_the_reporter(wechat, secretary, push, standin):
    wechat.location(RIDER, 29.7045, 116.0045, "广场花苑小区东门")
    n = ticket_no(wechat.text(RIDER, "这里路灯不亮").text)
    push()
    [to_secretary] = [m["text"] for m in standin.sent() if m["touser"] == secretary]
    assert f"#{n} 基础设施维护｜广场花苑小区东门" in to_secretary
    assert "地点：广场花苑小区东门" in wechat.text(RIDER, f"进度 {n}").text


def test_a_link_is_read_by_its_title(wechat, db):
    reply = wechat.link(RIDER, "广场花苑小区3栋的垃圾桶坏了", "好几天没人管", "https://example.invalid/a")
    assert ticket_no(reply.text)


def test_subscribe_gets_the_welcome_and_unsubscribe_nothing(wechat):
    reply = wechat.event(RIDER, "subscribe", create_time=1700000000)
    assert reply.text == wording.WELCOME
    assert wechat.replay().text == wording.WELCOME
    assert wechat.event(RIDER, "unsubscribe").body == "success"


def test_missing_place_is_asked_back_and_completed(wechat, db):
    assert wechat.text(RIDER, "垃圾桶坏了好几天了").text == wording.ASK_PLACE
    assert tickets(db) == []
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋").text)
    [ticket] = tickets(db)
    assert ticket["id"] == n and ticket["grid_id"] == "longxi-1" and "垃圾桶" in ticket["text"]


# ---------------------------------------------------------------- pushes through the API


def test_assignment_is_pushed_as_a_customer_service_message(wechat, secretary, push, standin):
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    assert push() >= 1
    to_secretary = [m for m in standin.sent() if m["touser"] == secretary]
    assert len(to_secretary) == 1
    assert to_secretary[0]["api"] == "custom" and f"接单 {n}" in to_secretary[0]["text"]


def test_claim_through_wechat_tells_the_rider(wechat, secretary, push, standin):
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    assert "已接单" in wechat.text(secretary, f"接单 {n}").text
    push()
    to_rider = [m for m in standin.sent() if m["touser"] == RIDER]
    assert to_rider and "接单" in to_rider[-1]["text"]


def test_outside_48_hours_a_template_message_is_used(wechat, secretary, push, standin, db, services):
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    db.execute("UPDATE users SET last_inbound_at = ? WHERE id = ?",
               [iso(utcnow() - timedelta(hours=49)), f"wechat:{secretary}"])
    push()
    [message] = [m for m in standin.sent() if m["touser"] == secretary]
    assert message["api"] == "template"
    assert message["template_id"] == services.config.settings.wechat.template_ids["ticket_update"]
    assert "新工单" in message["text"]


def test_an_expired_token_is_refreshed_once_and_the_push_succeeds(wechat, secretary, push, standin, db):
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    push()
    assert standin.state.tokens_issued == 1
    outbox.enqueue(db, f"wechat:{secretary}", "【提醒】工单快到期了", utcnow())
    standin.fault(expire_tokens=True)
    assert push() == 1
    assert standin.state.tokens_issued == 2
    assert [m["text"] for m in standin.sent() if m["touser"] == secretary][-1] == "【提醒】工单快到期了"


def test_token_refresh_is_bounded(wechat, secretary, services, standin, db):
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    standin.fault(errcode=42001, count=50)
    send = build_sender(services.config, channel_senders(services.config))
    outbox.deliver_due(db, send, utcnow())
    retries = services.config.settings.wechat.token_refresh_retries
    assert standin.state.tokens_issued == retries + 1
    [error] = db.execute("SELECT last_error FROM outbox WHERE sent_at IS NULL AND recipient = ?",
                         [f"wechat:{secretary}"]).fetchone()
    assert "42001" in error and standin.sent() == []


def test_the_token_is_shared_through_the_store(wechat, secretary, push, standin, db):
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    push()
    outbox.enqueue(db, f"wechat:{secretary}", "【提醒】工单快到期了", utcnow())
    assert push() == 1                      # a new client, as in another process: reads the stored token
    assert standin.state.tokens_issued == 1
    assert db.execute("SELECT count(*) FROM kv WHERE value LIKE 'TOKEN_%'").fetchone()[0] == 1


def test_api_down_keeps_the_push_queued_until_it_is_back(wechat, secretary, services, standin, db):
    wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了")
    standin.fault(down=1000)
    send = build_sender(services.config, channel_senders(services.config))
    now = utcnow()
    outbox.deliver_due(db, send, now)
    queued = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND recipient = ?"
    assert db.execute(queued, [f"wechat:{secretary}"]).fetchone()[0] == 1 and standin.sent() == []
    standin.fault(down=0)
    assert outbox.deliver_due(db, send, now + timedelta(minutes=11)) == 1
    assert db.execute(queued, [f"wechat:{secretary}"]).fetchone()[0] == 0
    assert [m["touser"] for m in standin.sent()] == [secretary]



def test_words_then_a_photo_add_the_photo_to_that_report(wechat, db):
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    reply = wechat.image(RIDER, tiny_png())
    assert reply.text == wording.photo_added(n)
    assert len(tickets(db)) == 1
    assert db.execute("SELECT count(*) FROM media WHERE ticket_id = ?", [n]).fetchone()[0] == 1


def test_a_bad_aes_key_fails_at_start_naming_the_key(services):
    from bot.app import create_app
    from settings import ConfigError

    s = services.config.settings
    broken = s.model_copy(update={"wechat": s.wechat.model_copy(update={"aes_key": "too-short"})})
    with pytest.raises(ConfigError, match=r"wechat\.aes_key"):
        create_app(services=type(services)(services.config.model_copy(update={"settings": broken}),
                                           services.engine, services.knowledge))


def test_without_a_token_the_callback_does_not_exist(app, client, wechat):
    services = app.config["SANDAN_SERVICES"]
    s = services.config.settings
    settings = s.model_copy(update={"wechat": s.wechat.model_copy(update={"token": ""})})
    app.config["SANDAN_SERVICES"] = type(services)(services.config.model_copy(update={"settings": settings}),
                                                   services.engine, services.knowledge)
    wechat.token = ""
    assert wechat.text(RIDER, "帮助").status == 404


def test_a_push_wechat_accepts_slowly_goes_out_once(services, standin, secretary, db, monkeypatch):
    """WeChat answering after our timeout had accepted the push: it went out 4 times in 60 s."""
    monkeypatch.setattr(clients, "TIMEOUT_SECONDS", 0.2)
    db.execute("UPDATE users SET last_inbound_at = ? WHERE id = ?", [iso(utcnow()), f"wechat:{SECRETARY}"])
    outbox.enqueue(db, f"wechat:{SECRETARY}", "【新工单】#7", utcnow(), None, "slow:7")
    standin.fault(slow=0.5, count=10)
    send, now = build_sender(services.config, channel_senders(services.config)), utcnow()
    for tick in range(13):              # the worker's job over a minute (simulated), as on the day it went 4 times
        outbox.deliver_due(db, send, now + timedelta(seconds=5 * tick))
    assert [m["text"] for m in standin.sent() if m["touser"] == SECRETARY] == ["【新工单】#7"]
    sent_at, error = db.execute("SELECT sent_at, last_error FROM outbox").fetchone()
    assert sent_at and error.startswith("unconfirmed")
