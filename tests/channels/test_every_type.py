"""Every documented callback type, replayed through the real app as WeChat would send it.

The samples in fixtures/callbacks.json are the XML that WeChat SDKs document in their own test suites
(each names its source); each is sent signed to /wechat (plaintext and safe mode) or /work-wechat, and
must get HTTP 200 with the outcome a person would notice.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import wording
from bot.channels.table import EVENTS, MESSAGES
from tests.channels.test_wechat import plaintext_account  # noqa: F401  (a fixture: an account without an AES key)

SAMPLES = json.loads((Path(__file__).parent / "fixtures" / "callbacks.json").read_text(encoding="utf-8"))
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _cases() -> list:
    cases = []
    for n, s in enumerate(SAMPLES):
        modes = ["plain", "aes"] if s["channel"] == "wechat" else ["aes"]
        for mode in modes:
            cases.append(pytest.param(s, mode, id=f"{n}-{s['channel']}-{s['type']}-{mode}"))
    return cases


def _field(xml: str, name: str) -> str:
    m = re.search(rf"<{name}>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</{name}>", xml, re.S)
    return m.group(1).strip() if m else ""


@pytest.mark.parametrize("sample, mode", _cases())
def test_a_documented_sample_gets_its_outcome(sample, mode, wechat, work, plaintext_account, db):  # noqa: F811
    server = work if sample["channel"] == "work_wechat" else plaintext_account if mode == "plain" else wechat
    fields = {"ToUserName": _field(sample["xml"], "ToUserName"), "FromUserName": _field(sample["xml"], "FromUserName")}
    reply = server.post(fields, xml=sample["xml"])
    assert reply.status == 200
    expect = sample["expect"]
    if expect == "success":
        assert reply.body == "success"
        return
    assert reply.message["ToUserName"] == fields["FromUserName"]    # answered to the sender, never to "sys"
    expected = {"welcome": wording.WELCOME, "scan": wording.SCAN_ACK, "staff_unbound": wording.STAFF_UNBOUND,
                "link": wording.link_received(_field(sample["xml"], "Title"))}
    if expect == "voice_review":       # no Recognition: filed for a person to hear
        [(n, state)] = db.execute("SELECT id, state FROM tickets").fetchall()
        assert reply.text == wording.voice_for_a_person(n) and state == "received"
    elif expect.startswith("ask:"):    # evidence or a place alone: asked what the problem is
        assert reply.text == wording.ask_for_words(expect[4:])
    elif expect in expected:
        assert reply.text == expected[expect]
    else:                              # words: the conversation answers them
        assert reply.text and reply.text not in expected.values()


def test_the_samples_cover_every_row_the_sdks_document():
    types = {s["type"].split("/")[-1].lower() for s in SAMPLES}
    for name in ("text", "image", "voice", "video", "shortvideo", "location", "link", "subscribe", "unsubscribe",
                 "scan", "enter_agent", "change_contact", "sys_approval_change", "template_card_event",
                 "modify_calendar", "add_schedule", "book_meeting_room", "subscribe_msg_popup_event"):
        assert name in types, name
    assert len(SAMPLES) >= 70


@pytest.mark.parametrize("name", sorted({*MESSAGES, "subscribe", "unsubscribe", "scan", "enter_agent",
                                         "change_contact"}))
def test_the_readme_shows_the_table(name):
    section = README[README.index("## Channels"):README.index("## Points")]
    assert f"`{name}`" in section.lower()
