"""Department duties decide transfer: what a department owns (deployment.yaml `authority`) sends the matter there,
and the ticket's log says why, for the dispatcher to read."""

from __future__ import annotations

import pytest

from bot.cli import triage_record
from tests.dispatch.conftest import events, ticket_number

DUTIES = [
    # (message, handling, department, reason)
    ("龙西小区5栋门口消防通道被车堵死了", "transfer", "区消防救援大队", "「消防通道」属区消防救援大队职责"),
    ("翠湖小区楼下的防火通道被电动车占了", "transfer", "区消防救援大队", "「消防通道」属区消防救援大队职责"),
    ("平东小区3栋楼道里有燃气味", "transfer", "十里燃气公司", "「燃气」属十里燃气公司职责"),
    ("书香苑的天然气管道锈穿了", "transfer", "十里燃气公司", "「燃气」属十里燃气公司职责"),
    ("平东中学门口有个大坑积水", "transfer", "区市政排水处", "「路面」属区市政排水处职责"),
    ("翠湖小区门口路面塌陷了", "transfer", "区市政排水处", "「路面」属区市政排水处职责"),
    ("金桂园小区门口的大树倒了", "transfer", "区园林所", "「树木」属区园林所职责"),
    ("濂溪路上的路灯不亮", "transfer", "区城管局路灯维护所", "「路灯」属区城管局路灯维护所职责"),
    # inside the 小区, the grid: a hole by a building, the lamp at the estate's own gate
    ("翠湖小区3栋楼下有个坑积水", "self", None, "由网格自办"),
    ("广场花苑小区门口路灯不亮了", "self", None, "由网格自办"),
]


@pytest.mark.parametrize("text, handling, department, reason", DUTIES)
def test_a_departments_duty_decides_transfer(base_services, text, handling, department, reason):
    record = triage_record(base_services, text)
    assert (record["intent"], record["handling"], record["department"]) == ("report", handling, department)
    assert reason in record["reason"]


def test_the_duty_is_written_in_the_tickets_log(chat, db):
    n = ticket_number(chat.say("resident-31", "龙西小区5栋门口消防通道被车堵死了"))
    assert "「消防通道」属区消防救援大队职责" in events(db, n)[1]["note"]
