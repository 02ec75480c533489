"""A report its reporter withdrew reads 已撤回 on the dashboard too (the list and the ticket page), while one
the community refused still reads 未受理."""

from __future__ import annotations

import re

from tests.dispatch.conftest import ticket_number


def state_cell(html: str, ticket_id: int) -> str:
    row = re.search(rf'<tr>(?:(?!</tr>).)*?>{ticket_id}</a>(?:(?!</tr>).)*</tr>', html, re.S)
    assert row, ticket_id
    return re.search(r'class="state[^"]*">([^<]*)<', row.group(0)).group(1)


def test_withdrawn_and_refused_read_differently(chat, dash):
    withdrawn = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("r1", f"撤回 {withdrawn} 已经修好了")
    refused = ticket_number(chat.say("r2", "龙西小区20栋楼道灯不亮了"))
    chat.say("dispatcher-longxi", f"驳回 {refused} 属于物业合同纠纷")
    listing = dash.page("/dashboard/tickets")
    assert (state_cell(listing, withdrawn), state_cell(listing, refused)) == ("已撤回", "未受理")
    page = dash.page(f"/dashboard/tickets/{withdrawn}")
    assert re.search(r'<h1>工单 #\d+ <span class="state s-rejected">已撤回</span></h1>', page)


def test_open311_says_withdrawn_too(chat, client):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("r1", f"撤回 {n} 已经修好了")
    [one] = client.get(f"/open311/v2/requests/{n}.json").get_json()
    assert (one["status"], one["status_notes"]) == ("closed", "已撤回")
    listed = {r["service_request_id"]: r["status_notes"] for r in client.get("/open311/v2/requests.json").get_json()}
    assert listed[n] == "已撤回"
