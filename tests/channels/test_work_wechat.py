"""企业微信 for staff: URL verification, encrypted app callbacks, app messages through the API."""

from __future__ import annotations

import re

import pytest

from dispatch.clock import utcnow
from dispatch.tickets import get_ticket
from dispatch.users import set_role

RIDER = "oRider000000000000000000009"
STAFF = "WangShuJi"


@pytest.fixture
def staff(db) -> str:
    set_role(db, f"work_wechat:{STAFF}", "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi",
             display_name="王书记")
    return STAFF


def test_url_verification_decrypts_the_echo(work):
    assert work.verify("hello-qy") == (200, "hello-qy")
    assert work.verify("hello-qy", tamper=True)[0] == 403


def test_assignment_goes_out_as_an_app_message_and_staff_claim_in_the_app(wechat, work, staff, push, standin, db):
    n = int(re.search(r"工单号 (\d+)", wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text).group(1))
    push()
    [message] = [m for m in standin.sent() if m["api"] == "work"]
    assert message["touser"] == staff and message["agentid"] == 1000002 and f"接单 {n}" in message["text"]

    reply = work.text(staff, f"接单 {n}")
    assert "已接单" in reply.text and "<Encrypt>" in reply.body
    assert get_ticket(db, n)["claimed_by"] == f"work_wechat:{staff}"
    assert work.replay().text == reply.text           # a retried callback is answered, not handled twice


def test_a_forged_work_callback_is_refused(work, staff, db):
    fields = {"ToUserName": "ww", "FromUserName": staff, "CreateTime": 1, "MsgType": "text", "Content": "接单 1",
              "MsgId": 7, "AgentID": 1000002}
    assert work.post(fields, tamper=True).status == 403
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
