"""Whole conversations through the real app: a report or an emergency written in English is answered in both
languages (never greeted), and the knowledge items staff keep with 「入库 N」 answer in chat and in `sandan triage`
alike (one knowledge path, issue 13)."""

from __future__ import annotations

from bot.cli import triage_record
from dispatch import knowledge_items
from tests.test_dialogues_desk import thursday_morning, verify_dialog  # noqa: F401  (the frozen Thursday)


GAS_EN = ("情况紧急，请马上拨打 119，也可以打燃气公司抢修电话 0792-8213119！\n"
          "请马上开窗通风，不要开关电器、不要用明火和手机，关掉燃气总阀，离开房间到室外再打电话。\n"
          "已收到，工单号 1，已转交十里燃气公司处理，预计 12月03日 14:00 前办结。回复「进度 1」可随时查看。\n\n"
          "Emergency: call 119 now! You can also call 燃气公司抢修电话 0792-8213119.\n"
          "Open the windows, do not switch anything electric on or off, no flames or phones inside, turn off the gas "
          "valve and leave before you call.\n"
          "Received: ticket 1. It has gone to the people responsible; send 「进度 1」 to see how it is going.")


def test_an_english_emergency_is_answered_in_both_languages(chat):
    verify_dialog(chat, [("resident-41", "There is a gas leak in building 3 of 广场花苑小区", GAS_EN)])


def test_an_english_report_is_filed_or_asked_about_in_both_languages_never_greeted(chat):
    verify_dialog(chat, [
        ("resident-42", "The street light on 龙西路 is broken",
         "已收到，工单号 1，已转交区城管局路灯维护所处理，预计 12月06日 10:00 前办结。回复「进度 1」可随时查看。\n\n"
         "Received: ticket 1. It has gone to the people responsible; send 「进度 1」 to see how it is going."),
        ("resident-43", "the rubbish bin is broken",
         "请问是哪个小区、几栋？告诉我地点就能马上派给对应网格。\n\n"
         "Which estate (小区) and building is it? Tell me the place and I will send it to the right grid at once."),
        ("resident-44", "How do I apply for a residence permit?",
         "好的，已请社区工作人员联系您，请稍等。着急的事也可以直接说说是什么情况。\n\n"
         "A member of the community staff will get back to you soon. If it is urgent, call 110, 119 or 120."),
    ])


def test_a_knowledge_item_kept_with_ruku_answers_in_chat_and_in_triage(chat, db, base_services):
    question = "请问社区图书室周末开门吗"
    verify_dialog(chat, [
        ("resident-45", question, "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"),
        ("dispatcher-longxi", "答复 1 周六周日上午9点到下午5点开放",
         "已答复工单 #1，答复已发给提问的居民。回复「入库 1」可把这条问答存进知识库，下次有人问就自动回答。"),
        ("dispatcher-longxi", "入库 1", "已把工单 #1 的问答存进知识库，下次有人问类似的问题会自动回答。"),
        # no question word: without the kept item the words read as a report and ask 「哪个小区？」
        ("resident-46", "社区图书室周末开门",
         f"关于「{question}」，一次说清：\n· 温馨提示：周六周日上午9点到下午5点开放"),
    ])
    record = triage_record(base_services, "社区图书室周末开门", knowledge_items.current(db, base_services.knowledge))
    assert (record["intent"], record["handling"], record["answer"]) == ("question", "reply", question)
