"""Staff bound by invite codes; only the assigned grid claims; of many concurrent 接单 exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.conversation import handle
from bot.inbound import Inbound
import wording
from dispatch import invites
from dispatch.clock import utcnow
from dispatch.store import connect
from dispatch.tickets import get_ticket
from dispatch.users import get_user
from tests.dispatch.conftest import ticket_number


def test_cli_prints_a_code_that_binds_the_sender_once(tmp_path, monkeypatch, base_services):
    from tests.conftest import ROOT

    db_path = tmp_path / "cli.db"
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "path: var/sandan.db", f"path: {db_path}").replace("deployment_file: data/", f"deployment_file: {ROOT}/data/")
        .replace("knowledge_file: data/", f"knowledge_file: {ROOT}/data/"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["invite", "--config", str(config), "--role", "grid_secretary",
                                      "--grid", "longxi-2", "--name", "李书记"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    code = result.stdout.strip().splitlines()[0]
    assert len(code) == 8 and code.isalnum()
    db = connect(db_path)
    invites.bind(db, "api:li", code, utcnow())
    user = get_user(db, "api:li")
    assert (user["role"], user["grid_id"], user["community_id"], user["display_name"]) == (
        "grid_secretary", "longxi-2", "longxi", "李书记")


def test_cli_names_a_missing_scope(tmp_path):
    result = CliRunner().invoke(cli, ["invite", "--role", "grid_secretary", "--grid", "nowhere"])
    assert result.exit_code == 1 and "needs --grid" in result.output


@pytest.mark.parametrize("args, error", [
    (["--role", "grid_secretary", "--grid", "longxi-1", "--department", "ludeng"],
     "Error: grid_secretary takes --grid only; drop --department\n"),
    (["--role", "department", "--department", "ludeng", "--grid", "longxi-1", "--community", "longxi"],
     "Error: department takes --department only; drop --grid and --community\n"),
    (["--role", "dispatcher", "--community", "longxi", "--grid", "longxi-1"],
     "Error: dispatcher takes --community only; drop --grid\n"),
])
def test_cli_refuses_a_scope_of_the_wrong_kind(args, error):
    result = CliRunner().invoke(cli, ["invite", *args])
    assert (result.exit_code, result.output) == (1, error)


def test_cli_lists_the_ids_when_a_scope_is_unknown():
    result = CliRunner().invoke(cli, ["invite", "--role", "department", "--department", "路灯所"])
    assert result.exit_code == 1
    assert "department needs --department, one of the deployment's department ids: " in result.output
    assert "ludeng (区城管局路灯维护所)" in result.output and "(got '路灯所')" in result.output


def test_binding_in_chat_makes_a_secretary_who_can_claim(chat, db, services):
    code = invites.create(db, services.config, "grid_secretary", utcnow(), grid_id="furong-1", display_name="新书记")
    db.conn.commit()
    n = ticket_number(chat.say("r1", "森工大厦小区2栋的垃圾桶坏了"))
    assert "工作人员" in chat.say("newbie", f"接单 {n}")                 # a resident cannot
    reply = chat.say("newbie", f"绑定 {code.lower()}")
    assert "绑定成功" in reply and "芙蓉社区第一网格党支部" in reply and "网格书记" in reply
    assert "用过" in chat.say("someone-else", f"绑定 {code}")            # single use
    assert "已接单" in chat.say("newbie", f"接单 {n}")
    assert get_ticket(db, n)["claimed_by"] == "api:newbie"
    assert any("新书记" in m for m in chat.pushed("r1"))                 # the reporter hears who has it


def test_expired_and_unknown_codes_are_refused(chat, db, services):
    old = invites.create(db, services.config, "dispatcher", utcnow() - timedelta(days=8), community_id="longxi")
    db.conn.commit()
    assert "过期" in chat.say("late", f"绑定 {old}")
    assert "不对" in chat.say("late", "绑定 ZZZZ9999")
    assert get_user(db, "api:late")["role"] == "resident"


def test_only_the_assigned_grid_can_claim_update_or_close(chat, db):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    for command in (f"接单 {n}", f"处理中 {n} 在看", f"办结 {n} 好了", f"转交 {n} ludeng"):
        assert chat.say("sec-longxi-2", command) == wording.no_such_ticket(n), command   # not theirs to see
    assert get_ticket(db, n)["state"] == "routed"


def test_concurrent_claims_exactly_one_wins_and_the_others_are_told_who(services, app, db):
    path = app.config["SANDAN_DB_PATH"]
    members = []
    for i in range(5):
        code = invites.create(db, services.config, "grid_secretary", utcnow(), grid_id="longxi-1",
                              display_name=f"网格员{i}")
        invites.bind(db, f"api:member-{i}", code, utcnow())
        members.append(f"member-{i}")
    db.conn.commit()
    n = ticket_number(handle(services, db, Inbound("api", "r1", "m-report", "广场花苑小区3栋的垃圾桶坏了"), utcnow()).text)
    db.conn.commit()

    barrier = threading.Barrier(len(members))
    replies: dict[str, str] = {}

    def claim(member: str) -> None:
        conn = connect(path)                       # each thread its own connection, as each request has
        try:
            barrier.wait()
            replies[member] = handle(services, conn, Inbound("api", member, f"m-{member}", f"接单 {n}"), utcnow()).text
        finally:
            conn.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [m for m, r in replies.items() if r.startswith("已接单")]
    assert len(replies) == 5 and len(winners) == 1, replies
    winner_name = f"网格员{winners[0].split('-')[1]}"
    for member, reply in replies.items():
        if member not in winners:
            assert f"已由{winner_name}接单" in reply
    ticket = get_ticket(db, n)
    assert ticket["claimed_by"] == f"api:{winners[0]}"
    assert [e["kind"] for e in db.query("SELECT kind FROM ticket_events WHERE ticket_id = ?", [n])].count("claimed") == 1


def test_staff_ask_for_their_work_in_chat(chat):
    """「我的工单」 or 「待办」 from a grid secretary lists the grid's open tickets, not their own reports."""
    assert "没有待办" in chat.say("sec-longxi-1", "我的工单")
    first = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    second = ticket_number(chat.say("r2", "广场花苑小区5栋楼道灯不亮"))
    work = chat.say("sec-longxi-1", "待办")
    assert "待办 2 件" in work and f"#{first}" in work and f"#{second}" in work and "期限" in work
    assert "没有待办" in chat.say("sec-furong-1", "我的工单")          # another grid sees none of them
    chat.say("r3", "龙西小区的路灯坏了")                               # a split 小区: the dispatcher's review
    queue = chat.say("dispatcher-longxi", "我的工单")
    assert "待办 1 件" in queue and "派单 编号" in queue and "接单 编号" not in queue


def test_a_staff_command_without_its_number_says_how(chat):
    assert "接单 12" in chat.say("sec-longxi-1", "接单")
    assert "办结 12" in chat.say("sec-longxi-1", "办结")


def test_guessing_invite_codes_locks_the_sender_out(chat, db, services, caplog):
    """351 guesses a second were answered; now a few wrong codes lock the sender out, doubling, logged."""
    code = invites.create(db, services.config, "grid_secretary", utcnow(), grid_id="longxi-2")
    with caplog.at_level("WARNING", logger="dispatch.invites"):
        for guess in ("AAAA2222", "AAAA3333", "AAAA4444", "AAAA5555", "AAAA6666", "AAAA7777"):
            assert chat.say("guesser", f"绑定 {guess}") == wording.INVITE_PROBLEMS["invalid"]
        assert chat.say("guesser", f"绑定 {code}") == wording.INVITE_PROBLEMS["throttled"]
    assert get_user(db, "api:guesser")["role"] == "resident"
    assert sum("wrong invite code from api:guesser" in m for m in caplog.messages) == 6
    chat.say("someone-else", f"绑定 {code}")                     # the code itself still works for its owner
    assert get_user(db, "api:someone-else")["role"] == "grid_secretary"
