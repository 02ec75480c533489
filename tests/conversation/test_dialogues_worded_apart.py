"""Dialogues worded apart from the others here, as bench/dialogue_probe.py drives them against a live server: a
softened 满意 that is no 满意, a correction said before the rating, a withdrawal typed without its number while a
report is being told, a place corrected before the problem is said, talk in the group that a model read as a
command, and staff commands typed with a colon or a comma. Each is one whole conversation with the exact replies.
"""

from __future__ import annotations

from dispatch.tickets import get_ticket
from tests.conversation.conftest import verify_dialog
from tests.conversation.test_dialogues import ASK_PLACE, ack

RATE_ASK = "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"


def one_resolved_light(talk) -> None:
    """钱阿姨 reported a broken hallway light; the grid has fixed it."""
    verify_dialog(talk, [
        ("qian", "阳光家园4栋楼道灯坏了", ack(1, "平东社区第二网格党支部", "12月04日 10:00")),
        ("sec-pingdong-2", "办结 1 换了灯管", "工单 #1 已办结，已通知反映人评价。辛苦了！"),
    ])


# ---------------------------------------------------------------- ratings


def test_a_softened_satisfied_reopens_the_ticket_rather_than_closing_it(talk, db):
    one_resolved_light(talk)
    verify_dialog(talk, [
        ("qian", "不太满意，修得太慢了", "抱歉没让您满意。工单 1 已重新交办整改，社区会跟进督促。"),
    ])
    assert get_ticket(db, 1)["state"] == "reopened"


def test_a_rating_said_with_thanks_or_as_praise_rates_the_ticket(talk, db):
    one_resolved_light(talk)
    verify_dialog(talk, [("qian", "很满意，师傅们辛苦了", "谢谢您的评价！工单 1 已完结。")])
    assert get_ticket(db, 1)["rating"] == "满意"


def test_a_correction_said_before_the_rating_corrects_both_halves(talk, db):
    one_resolved_light(talk)
    verify_dialog(talk, [
        ("qian", "没解决", "抱歉问题还没解决。工单 1 已重新交办整改，社区会跟进督促。"),
        ("qian", "我看错了，改成已解决 满意", "已记下工单 1 的评价「已解决 满意」，谢谢您！"),
    ])
    assert get_ticket(db, 1)["state"] == "closed"


def test_the_second_ticket_is_the_second_one_listed(talk, db):
    verify_dialog(talk, [
        ("feng", "锦绣华庭5栋电梯门关不上", ack(1, "芙蓉社区第三网格党支部", "12月04日 10:00")),
        ("feng", "第二个工单不满意", "是哪一张工单？请带上工单号，比如「不满意 12」；发「我的工单」看看您的工单和编号。"),
        ("feng", "锦绣华庭7栋楼道灯坏了", ack(2, "芙蓉社区第三网格党支部", "12月04日 10:00")),
        ("sec-furong-3", "办结 1 已修", "工单 #1 已办结，已通知反映人评价。辛苦了！"),
        ("sec-furong-3", "办结 2 已修", "工单 #2 已办结，已通知反映人评价。辛苦了！"),
        ("feng", "我的工单", "您的工单：\n#2 已办结，待评价｜锦绣华庭7栋楼道灯坏了\n#1 已办结，待评价｜锦绣华庭5栋电梯门关不上\n"
                             "回复「进度 编号」看详情。"),
        ("feng", "第二个工单不满意", "抱歉没让您满意。工单 1 已重新交办整改，社区会跟进督促。\n"
                                     "您还有工单 2 待评价，回复「已解决 满意 2」或「未解决 不满意 2」即可。"),
    ])
    assert (get_ticket(db, 1)["state"], get_ticket(db, 2)["state"]) == ("reopened", "resolved")


# ---------------------------------------------------------------- cancelling, and a place corrected


def test_a_withdrawal_without_a_number_drops_the_report_being_told(talk, db):
    verify_dialog(talk, [
        ("chen", "楼道里有人堆了好多纸箱", ASK_PLACE),
        ("chen", "撤了吧", "好的，「楼道里有人堆了好多纸箱」不报了。有别的问题随时告诉我。"),
        ("chen", "锦绣华庭6栋", "好的，「锦绣华庭6栋」。请问那里有什么问题？说说情况就行，有照片也可以发来。"),
        ("chen", "撤回", "好的，「锦绣华庭6栋」不报了。有别的问题随时告诉我。"),
        ("chen", "撤回", "请在「撤回」后面加上工单编号，比如「撤回 12」。发「待办」看看手上的工单。"),
    ])
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_a_place_corrected_before_the_problem_is_said_is_the_place_filed(talk, db):
    verify_dialog(talk, [
        ("li", "东湖小区", "好的，「东湖小区」。请问那里有什么问题？说说情况就行，有照片也可以发来。"),
        ("li", "不对，是幸福里小区2栋", "好的，「幸福里小区2栋」。请问那里有什么问题？说说情况就行，有照片也可以发来。"),
        ("li", "电梯坏了好几天了", ack(1, "平东社区第二网格党支部", "12月04日 10:00")),
    ])
    ticket = get_ticket(db, 1)
    assert (ticket["place"], ticket["building"]) == ("幸福里小区", "2栋")


# ---------------------------------------------------------------- the group


def test_talk_a_model_reads_as_a_command_gets_nothing_and_asking_for_ones_points_is_answered_privately(talk, db):
    verify_dialog(talk, [
        ("群:小王", "谁有打气筒借我用一下，车胎没气了", ""),
        ("群:小王", "这周谁第一", ""),
        ("群:小王", "@三单\u2005我的积分", "@小王 已私信回复您。"),
        ("群:小王", "我现在多少积分了", "@小王 已私信回复您。"),
    ])
    points = ("您的志愿服务积分：0 分\n还没有积分记录。反映的问题被受理就能得分，附照片、报紧急隐患还有加分。\n"
              "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。")
    assert talk.inbox("group:小王") == [points, points]


# ---------------------------------------------------------------- staff commands typed loosely


def test_staff_commands_typed_with_a_colon_or_a_comma_work_and_the_reporter_reads_clean_notes(talk):
    verify_dialog(talk, [
        ("zhou", "仙源小区9栋楼道灯坏了", ack(1, "仙源社区第一网格党支部", "12月04日 10:00")),
        ("sec-xianyuan-1", "接单：1", "已接单 #1。办好后回复「办结 1 处理说明」，可以附上照片。"),
        ("sec-xianyuan-1", "处理中 1：师傅已经在路上",
         "已标记工单 #1 处理中，反映人会收到通知。办好后回复「办结 1 处理说明」。"),
        ("sec-xianyuan-1", "办结1，换了声控灯", "工单 #1 已办结，已通知反映人评价。辛苦了！"),
    ])
    assert talk.inbox("api:zhou") == [
        "您反映的问题（工单 1）已由仙源一网格赵书记接单，正在处理。",
        "您反映的问题（工单 1）正在处理中：师傅已经在路上。",
        f"您反映的问题（工单 1）已办结：换了声控灯\n{RATE_ASK}",
    ]


def test_a_question_answered_with_a_colon_reaches_the_resident_without_it(talk):
    verify_dialog(talk, [
        ("wu", "请问平东社区办公室几点下班", "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"),
        ("dispatcher-pingdong", "答复 1：工作日下午5点半下班",
         "已答复工单 #1，答复已发给提问的居民。回复「入库 1」可把这条问答存进知识库，下次有人问就自动回答。"),
    ])
    assert talk.inbox("api:wu") == ["您问的问题（工单 1），社区答复：工作日下午5点半下班\n还有不清楚的，直接再问我。"]


def test_a_resident_who_types_claim_is_told_how_to_volunteer_and_one_who_types_take_that_it_is_for_staff(talk):
    verify_dialog(talk, [
        ("rider-9", "认领 3", "「认领」征集任务需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。"),
        ("rider-9", "认领12", "「认领」征集任务需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。"),
        ("rider-9", "接单 3", "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。"),
    ])


# ---------------------------------------------------------------- other talk while a report waits

CHITCHAT = "收到 😊 有问题随时发给我，发「帮助」看看我能做什么。"


def test_a_place_said_after_other_talk_is_asked_about_before_the_waiting_words_are_filed_there(talk, db):
    verify_dialog(talk, [
        ("sun", "单元门坏了关不上", ASK_PLACE),
        ("sun", "没事了，已经好了", "好的，「单元门坏了关不上」不报了。有别的问题随时告诉我。"),
        ("sun", "东湖小区3栋", "好的，「东湖小区3栋」。请问那里有什么问题？说说情况就行，有照片也可以发来。"),
        ("sun", "楼道灯不亮", ack(1, "平东社区第三网格党支部", "12月04日 10:00")),
        ("zhao", "垃圾桶坏了", ASK_PLACE),
        ("zhao", "嗯嗯稍等",
         CHITCHAT + "\n（「垃圾桶坏了」还没说在哪里，告诉我小区和几栋就能派单；不报了请回复「取消」。）"),
        ("zhao", "阳光家园2栋", "「垃圾桶坏了」是在「阳光家园2栋」吗？请回复「是」或「不是」。"),
        ("zhao", "是的", ack(2, "平东社区第二网格党支部", "12月03日 10:00")),
    ])
    first, second = get_ticket(db, 1), get_ticket(db, 2)
    assert (first["place"], first["building"], "单元门" in first["text"]) == ("东湖小区", "3栋", False)
    assert (second["place"], second["building"]) == ("阳光家园", "2栋")


def test_words_after_a_photo_that_say_nothing_of_it_leave_it_waiting_and_it_can_be_dropped(talk, db):
    verify_dialog(talk, [
        ("li", "📷", "收到照片！请再说说是什么问题，比如「3栋门口垃圾桶坏了」。"),
        ("li", "嗯嗯稍等", CHITCHAT + "\n（刚才的照片还没说是什么问题，说说情况就能派单；不报了请回复「取消」。）"),
        ("li", "森工大厦小区2栋", "刚才的照片是在「森工大厦小区2栋」吗？请回复「是」或「不是」。"),
        ("li", "取消", "好的，刚才的照片不报了。有别的问题随时告诉我。"),
        ("li", "📷", "收到照片！请再说说是什么问题，比如「3栋门口垃圾桶坏了」。"),
        ("li", "发错了，不用管", "好的，刚才的照片不报了。有别的问题随时告诉我。"),
    ])
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
