"""Bad input through the JSON API: the right status with the one error shape, or a clear reply,
and never a half-written message or ticket."""

from __future__ import annotations

import pytest

import wording
from dispatch.tickets import get_ticket

from reliability_helpers import app, counts, services  # noqa: F401  one shared app per module


def assert_error_shape(status: int, body: dict | None, expected: int) -> None:
    assert status == expected
    assert body is not None and body["ok"] is False and body["status"] == expected
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]


@pytest.mark.parametrize("raw", [
    b'{"sender": "a", "text": "\xe5\xb9\xbf\xe5\x9c\xba',          # truncated mid-character and mid-string
    b'{"sender": "a", "text": }',                                     # malformed
    b'{"sender": "a", "text": "hi"',                                  # truncated object
    b'["sender", "text"]',                                            # JSON, but not an object
    b'"just a string"',
    b"",
    b"\xff\xfe\x00s\x00e\x00n\x00d",                                  # not UTF-8 at all
    b'{"sender": "a", "text": "\xc3\x28"}',                           # invalid UTF-8 inside a string
], ids=["truncated-utf8", "malformed", "truncated", "array", "string", "empty", "utf16", "bad-utf8"])
def test_broken_json_is_400_and_writes_nothing(api, db, raw: bytes):
    before = counts(db)
    status, body = api.post(raw)
    assert_error_shape(status, body, 400)
    assert counts(db) == before


@pytest.mark.parametrize("payload, word", [
    ({"text": "路灯坏了"}, "sender"),
    ({"sender": "", "text": "路灯坏了"}, "sender"),
    ({"sender": 42, "text": "路灯坏了"}, "sender"),
    ({"sender": "a" * 500, "text": "路灯坏了"}, "sender"),
    ({"sender": "a", "text": ["路灯坏了"]}, "text"),
    ({"sender": "a", "text": "路灯坏了", "photos": "http://x/1.jpg"}, "photos"),
    ({"sender": "a", "text": "路灯坏了", "photos": [1, 2]}, "photos"),
    ({"sender": "a", "text": "路灯坏了", "location": "here"}, "location"),
    ({"sender": "a", "text": "路灯坏了", "location": [29.7]}, "location"),
])
def test_wrong_field_types_name_the_field(api, db, payload: dict, word: str):
    before = counts(db)
    status, body = api.post(json=payload)
    assert_error_shape(status, body, 400)
    assert word in body["error"]
    assert counts(db) == before


def test_a_10_mb_body_is_413_with_the_json_error_shape(api, db):
    before = counts(db)
    big = b'{"sender": "a", "text": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    status, body = api.post(big)
    assert_error_shape(status, body, 413)
    assert counts(db) == before


def test_form_encoded_body_is_refused_not_guessed(api, db):
    status, body = api.post("sender=a&text=hi", content_type="application/x-www-form-urlencoded")
    assert_error_shape(status, body, 400)


@pytest.mark.parametrize("key", [None, "wrong-key", ""], ids=["missing", "wrong", "empty"])
def test_json_api_without_the_key_is_refused(client, db, key):
    before = counts(db)
    headers = {} if key is None else {"X-Api-Key": key}
    r = client.post("/api/messages", json={"sender": "a", "text": "广场花苑小区3栋的垃圾桶坏了"}, headers=headers)
    assert_error_shape(r.status_code, r.get_json(), 401)
    assert counts(db) == before
    r = client.get("/api/inbox?user=api:sec-longxi-1", headers=headers)
    assert_error_shape(r.status_code, r.get_json(), 401)


def test_unknown_path_and_wrong_method_use_the_error_shape(client):
    r = client.get("/api/nothing-here")
    assert_error_shape(r.status_code, r.get_json(), 404)
    r = client.get("/api/messages")
    assert_error_shape(r.status_code, r.get_json(), 405)


# ---------------------------------------------------------------- odd but valid messages


@pytest.mark.parametrize("text", ["", "   \n\t "], ids=["empty", "whitespace"])
def test_empty_message_gets_a_clear_reply_and_no_ticket(chat, db, text: str):
    before = counts(db)["tickets"]
    reply = chat.say("resident-empty", text)
    assert reply.strip()
    assert counts(db)["tickets"] == before


def test_5000_characters_get_the_too_long_reply_and_nothing_is_written(chat, db):
    before = counts(db)
    reply = chat.say("resident-long", "广场花苑小区3栋的垃圾桶坏了" + "很" * 5000)
    assert reply == wording.TOO_LONG
    assert counts(db)["tickets"] == before["tickets"]
    assert counts(db)["outbox"] == before["outbox"]


def ticket_of_reply(db, sender: str) -> dict:
    row = db.execute("SELECT ticket_id FROM messages WHERE sender = ? ORDER BY id DESC LIMIT 1",
                     [f"api:{sender}"]).fetchone()
    assert row and row[0], "the report made no ticket"
    return get_ticket(db, row[0])


# A different building each, so no report is joined to another as a duplicate.
ODD_TEXTS = [
    "广场花苑小区11栋的垃圾桶坏了🗑️😡，臭死了👃",
    "广场花苑小区12栋的垃圾桶坏了'); DROP TABLE tickets; --",
    "广场花苑小区13栋的垃圾桶坏了\" OR 1=1 --",
    "广场花苑小区14栋的垃圾桶坏了<script>alert('x')</script><img src=x onerror=alert(1)>",
    "广场花苑小区15栋的垃圾桶坏了 {{ 7*7 }} ${7*7} %s %(x)s",
    "广场花苑小区16栋的垃圾桶坏了\x00\u200b\u202e",
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=["emoji", "sql-drop", "sql-or", "html", "templates", "control-chars"])
def test_odd_text_is_stored_verbatim_and_never_executed(chat, db, text: str):
    before = counts(db)["tickets"]
    sender = f"resident-odd-{ODD_TEXTS.index(text)}"
    reply = chat.say(sender, text)
    assert "工单" in reply
    ticket = ticket_of_reply(db, sender)
    assert ticket["text"] == text
    assert db.execute("SELECT text FROM messages WHERE sender = ?", [f"api:{sender}"]).fetchone()[0] == text
    assert counts(db)["tickets"] == before + 1     # the tickets table is still there, one more row in it
    pushed = db.execute("SELECT body FROM outbox WHERE ticket_id = ? AND recipient = 'api:sec-longxi-1'",
                        [ticket["id"]]).fetchall()
    assert len(pushed) == 1 and "垃圾桶坏了" in pushed[0][0]


@pytest.mark.parametrize("text", ["接单", "接单 abc", "办结", "进度 99999999999999999999", "/start", "!!!"])
def test_unknown_or_incomplete_commands_get_a_clear_reply(chat, db, text: str):
    before = counts(db)["tickets"]
    reply = chat.say("sec-longxi-1", text)
    assert reply.strip() and "Traceback" not in reply
    assert counts(db)["tickets"] == before


def test_status_of_a_huge_ticket_number_is_not_found(chat):
    assert chat.say("resident-x", "进度 99999999") == wording.no_such_ticket(99999999)


def test_a_replayed_msg_id_gets_the_first_reply_and_one_ticket(chat, db):
    before = counts(db)
    first = chat.say("resident-r", "广场花苑小区21栋的垃圾桶坏了", msg_id="same-1")
    again = chat.say("resident-r", "广场花苑小区21栋的垃圾桶坏了", msg_id="same-1")
    assert first == again and "工单" in first
    after = counts(db)
    assert (after["tickets"], after["messages"]) == (before["tickets"] + 1, before["messages"] + 1)
