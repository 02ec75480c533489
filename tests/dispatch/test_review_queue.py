"""The dispatcher's side at the dispatch level: the review queue, answering a question (and keeping the
answer), a grid sending junk back to review, and an emergency reaching everyone at once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dispatch import emergencies, knowledge_items, questions, review, tickets
from dispatch.states import TransitionError
from dispatch.users import get_user

from tests.dispatch.conftest import ticket_number

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)


def test_the_queue_holds_the_communitys_reports_and_the_questions_nobody_answered(chat, db):
    chat.say("resident-1", "转人工")
    chat.say("resident-2", "请问社区办公室周六上班吗")
    chat.say("resident-3", "芙蓉苑小区那边有个情况")          # another community's, unsure
    dispatcher = get_user(db, "api:dispatcher-longxi")
    q = review.queue(db, dispatcher)
    assert [t["text"] for t in q.questions] == ["转人工", "请问社区办公室周六上班吗"]
    assert (q.report_total, q.question_total) == (0, 2)
    furong = review.queue(db, get_user(db, "api:dispatcher-furong"))
    assert furong.question_total == 2          # unplaced questions reach every community's dispatcher
    assert all("芙蓉苑" not in t["text"] for t in q.reports)


def test_a_dispatcher_answers_a_question_and_keeps_the_answer(chat, db, services):
    chat.say("resident-2", "请问社区办公室周六上班吗")
    dispatcher = get_user(db, "api:dispatcher-longxi")
    t = questions.answer(db, services.config, 1, dispatcher, "周六上午 9:00-12:00 有人值班", NOW)
    assert (t["state"], t["resolution"]) == ("answered", "周六上午 9:00-12:00 有人值班")
    assert chat.pushed("resident-2") == [
        "您问的问题（工单 1），社区答复：周六上午 9:00-12:00 有人值班\n还有不清楚的，直接再问我。"]
    with pytest.raises(TransitionError):
        questions.answer(db, services.config, 1, dispatcher, "再说一遍", NOW)

    def ask(question: str):
        return knowledge_items.current(db, services.knowledge).search(question)

    assert ask("社区办公室周六上班吗？") is None
    assert questions.save(db, services.config, 1, dispatcher, NOW) is True
    assert questions.save(db, services.config, 1, dispatcher, NOW) is False
    found = ask("周六社区办公室有人上班吗")
    assert found is not None and found.fields == (("温馨提示", "周六上午 9:00-12:00 有人值班"),)
    assert ask("老年出行卡怎么办").title == "老年人出行卡（敬老卡）办理"      # the shipped items still answer


def test_only_the_communitys_dispatcher_answers_and_only_answered_questions_are_kept(chat, db, services):
    chat.say("resident-2", "请问社区办公室周六上班吗")
    with pytest.raises(tickets.NotAllowed):
        questions.answer(db, services.config, 1, get_user(db, "api:sec-longxi-1"), "有", NOW)
    with pytest.raises(tickets.NeedsReason):
        questions.answer(db, services.config, 1, get_user(db, "api:dispatcher-longxi"), "  ", NOW)
    with pytest.raises(questions.NotAnswered):
        questions.save(db, services.config, 1, get_user(db, "api:dispatcher-longxi"), NOW)


def test_a_grid_sends_a_junk_ticket_back_to_review(chat, db, services):
    n = ticket_number(chat.say("rider-1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.pushed("dispatcher-longxi")
    secretary = get_user(db, "api:sec-longxi-1")
    with pytest.raises(tickets.NotAllowed):
        review.return_to_review(db, services.config, n, get_user(db, "api:sec-longxi-2"), "不是我们的", NOW)
    with pytest.raises(tickets.NeedsReason):
        review.return_to_review(db, services.config, n, secretary, "", NOW)
    t = review.return_to_review(db, services.config, n, secretary, "现场看过，垃圾桶是好的", NOW)
    assert (t["state"], t["claimed_by"]) == ("received", None)
    assert chat.pushed("dispatcher-longxi") == [
        f"【待审核】工单 #{n}（广场花苑小区3栋）：广场花苑小区3栋的垃圾桶坏了\n原因：龙西一网格王书记退回：现场看过，垃圾桶是好的\n"
        f"回复「派单 {n} 网格编号」指派，或在工作台处理。"]
    assert [r["text"] for r in review.queue(db, get_user(db, "api:dispatcher-longxi")).reports] == [
        "广场花苑小区3栋的垃圾桶坏了"]


def test_an_emergency_reaches_the_grid_the_dispatcher_and_the_leader_on_duty(chat, db, services):
    n = ticket_number(chat.say("resident-1", "龙西小区5栋闻到很重的煤气味"))
    alert = (f"【紧急·燃气泄漏】工单 #{n}（龙西小区5栋）：龙西小区5栋闻到很重的煤气味\n"
             f"已请反映人拨打 119，已通知十里燃气公司。请回复「收到 {n}」确认并跟进。")
    informed = f"【知会】工单 #{n}（龙西小区5栋）已转交十里燃气公司办理，请协助跟进。\n龙西小区5栋闻到很重的煤气味"
    assert chat.pushed("dispatcher-longxi") == [informed, alert]     # the gas company acts; all hear of it at once
    assert chat.pushed("leader") == [alert]
    assert chat.pushed("sec-longxi-2") == [informed, alert]
    assert chat.pushed("dispatcher-furong") == []

    dispatcher = get_user(db, "api:dispatcher-longxi")
    assert emergencies.acknowledge(db, services.config, tickets.get_ticket(db, n), dispatcher, NOW).first
    assert chat.pushed("resident-1")[-1] == f"龙西社区调度员已收到您反映的紧急情况（工单 {n}），正在联系处置。请注意安全。"
    assert chat.pushed("sec-longxi-2") == [f"【已确认】紧急工单 #{n} 已由龙西社区调度员确认跟进。"]
    assert chat.pushed("leader") == [f"【已确认】紧急工单 #{n} 已由龙西社区调度员确认跟进。"]
    assert not emergencies.acknowledge(db, services.config, tickets.get_ticket(db, n), dispatcher, NOW).first
    quiet = ticket_number(chat.say("rider-1", "广场花苑小区3栋的垃圾桶坏了"))
    with pytest.raises(emergencies.NotAnEmergency):
        emergencies.acknowledge(db, services.config, tickets.get_ticket(db, quiet), dispatcher, NOW)
