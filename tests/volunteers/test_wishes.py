"""微心愿 through the real app: a resident posts a wish, the community's volunteers are told and see the open list,
the first 「认领心愿」 wins (also with ten at once), the volunteer reports it done, the resident confirms and rates it,
and the volunteer's 心愿积分 shows in 积分; the resident and the community's staff may withdraw one."""

from __future__ import annotations

from freezegun import freeze_time

from tests.volunteers.conftest import local, say_at_once


def wish_number(reply: str) -> int:
    return int(reply.split("心愿号 ")[1].split("：")[0])


def test_a_wish_is_posted_claimed_done_confirmed_and_earns_wish_points(chat, volunteer_code):
    wu, zhao = volunteer_code("吴阳春"), volunteer_code("赵敏")
    furong = volunteer_code("刘芳", "furong")
    with freeze_time(local(2026, 11, 23, 9, 0)):
        for person, code in (("v-wu", wu), ("v-zhao", zhao), ("v-liu", furong)):
            chat.say(person, f"绑定 {code}")
        assert chat.say("r1", "心愿：想请人帮忙换个灯泡") == (
            "请在心愿里写上小区和楼栋，例如「心愿：广场花苑小区3栋 想请人帮忙换个灯泡」，附近的志愿者才能找到您。"
            "扫小区的帮办二维码后发就不用写了。")
        reply = chat.say("r1", "心愿：广场花苑小区3栋 想请人帮忙换个灯泡，家里没有梯子")
    n = wish_number(reply)
    assert reply == (f"已收到您的微心愿，心愿号 {n}：已发布到龙西社区的心愿墙（广场花苑小区3栋），已推送给 2 位志愿者，"
                     f"有人认领会告诉您。回复「心愿 {n}」可随时查看。")
    call = [f"【微心愿】#{n}｜广场花苑小区3栋\n广场花苑小区3栋 想请人帮忙换个灯泡，家里没有梯子\n"
            f"能帮忙的请回复「认领心愿 {n}」，先到先得。"]
    assert chat.pushed("v-wu") == call and chat.pushed("v-zhao") == call and chat.pushed("v-liu") == []
    assert chat.pushed("sec-longxi-1") == []          # a wish is not a grid ticket
    with freeze_time(local(2026, 11, 23, 9, 5)):
        assert chat.say("v-zhao", "心愿") == (
            f"龙西社区的心愿墙（待认领 1 个）：\n#{n} 广场花苑小区3栋 想请人帮忙换个灯泡，家里没有梯子\n"
            "能帮忙的请回复「认领心愿 编号」。")
        assert chat.say("v-liu", "心愿") == "芙蓉社区的心愿墙暂时没有待认领的心愿，有新心愿会推送给您。"
        assert chat.say("v-liu", f"认领心愿 {n}") == f"没有找到心愿 {n}，请核对编号；发「我的心愿」或「心愿」看看。"
        assert chat.say("r2", f"认领心愿 {n}") == (
            "「认领心愿」需要先成为志愿者：请向社区要志愿者邀请码，发「绑定 邀请码」。")
        assert chat.say("v-wu", f"认领心愿 {n}") == (
            f"认领成功！心愿 #{n} 交给您了，发「心愿 {n}」看地点。完成后回复「完成心愿 {n} 做了什么」。")
        assert chat.say("v-zhao", f"认领心愿 {n}") == (
            f"谢谢您！心愿 #{n} 已由志愿者吴阳春认领了，发「心愿」看看还有哪些待认领。")
    assert chat.pushed("r1") == [f"您的心愿 #{n} 已由志愿者吴阳春认领，会尽快来帮忙。"]
    with freeze_time(local(2026, 11, 23, 10, 0)):
        assert chat.say("r1", f"心愿 {n}") == (
            f"心愿 #{n}：广场花苑小区3栋 想请人帮忙换个灯泡，家里没有梯子\n"
            "状态：志愿者吴阳春已认领\n发布时间：11月23日 09:00")
        assert chat.say("r2", f"心愿 {n}") == f"没有找到心愿 {n}，请核对编号；发「我的心愿」或「心愿」看看。"
        assert chat.say("r1", f"确认心愿 {n}") == f"心愿 #{n} 现在是「志愿者已认领」，不能这样操作；发「心愿 {n}」看看。"
        assert chat.say("v-zhao", f"完成心愿 {n} 我也来了") == f"心愿 #{n} 不是您认领的；发「认领心愿 {n}」先认领。"
        assert chat.say("v-wu", f"完成心愿 {n}") == "请说说做了什么，例如「完成心愿 3 已换好灯泡」，可以附上照片。"
        assert chat.say("v-wu", f"完成心愿 {n} 灯泡换好了") == f"辛苦了！已请居民确认心愿 #{n}，确认后会计入您的心愿积分。"
    assert chat.pushed("r1") == [
        f"志愿者吴阳春说您的心愿 #{n} 已完成：灯泡换好了\n实现了请回复「确认心愿 {n} 满意」（也可以说「基本满意」「不满意」）；"
        f"还没有请回复「心愿未完成 {n} 原因」。"]
    with freeze_time(local(2026, 11, 23, 10, 30)):
        assert chat.say("r1", f"心愿未完成 {n} 客厅的还没换") == f"已告诉志愿者，心愿 #{n} 还没完成，会再来帮忙。"
    assert chat.pushed("v-wu") == [f"居民说心愿 #{n} 还没完成：客厅的还没换。请再去看看，好了回复「完成心愿 {n} 说明」。"]
    with freeze_time(local(2026, 11, 23, 11, 0)):
        chat.say("v-wu", f"完成心愿 {n} 客厅的也换好了")
        assert chat.say("r2", f"确认心愿 {n} 满意") == f"没有找到心愿 {n}，请核对编号；发「我的心愿」或「心愿」看看。"
        assert chat.say("r1", f"确认心愿 {n} 非常满意 小伙子很热心") == f"谢谢您的评价（满意）！心愿 #{n} 已实现，已告诉志愿者。"
        assert chat.say("r1", f"确认心愿 {n} 满意") == f"心愿 #{n} 现在是「已实现」，不能这样操作；发「心愿 {n}」看看。"
        assert chat.say("r1", "我的心愿") == f"您的心愿：\n#{n} 广场花苑小区3栋 想请人帮忙换个灯泡，家里没有梯子（已实现）\n回复「心愿 编号」查看详情。"
    assert chat.pushed("v-wu")[-1] == f"您认领的心愿 #{n} 居民已确认实现，评价：满意（小伙子很热心）。+10 心愿积分，感谢您！"
    assert chat.say("v-wu", "积分") == (
        "您的志愿服务积分：0 分\n还没有积分记录。反映的问题被受理就能得分，附照片、报紧急隐患还有加分。\n"
        "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。\n"
        "志愿服务：0 次，累计 0 小时\n心愿积分：10 分（实现 1 个微心愿）\n星级：还未评星；再得 30 分可评一星")


def test_the_resident_and_the_community_withdraw_wishes(chat, volunteer_code):
    wu = volunteer_code("吴阳春")
    chat.say("v-wu", f"绑定 {wu}")
    first = wish_number(chat.say("r1", "微心愿 龙西小区5栋 想找人陪老人聊聊天"))
    second = wish_number(chat.say("r1", "心愿：龙西小区5栋 想请人帮忙修一下自行车"))
    chat.say("v-wu", f"认领心愿 {second}")
    chat.pushed("v-wu")
    chat.pushed("r1")
    assert chat.say("v-wu", f"撤回心愿 {first}") == f"心愿 #{first} 不是您许的，只有许愿的居民可以确认。"
    assert chat.say("sec-furong-1", f"撤回心愿 {first}") == (
        f"没有找到心愿 {first}，请核对编号；发「我的心愿」或「心愿」看看。")
    assert chat.say("r1", f"撤回心愿 {first} 孩子回来了") == f"已撤回心愿 #{first}，已从心愿墙上撤下。"
    assert chat.say("dispatcher-longxi", "心愿") == "龙西社区的心愿墙暂时没有待认领的心愿，有新心愿会推送给您。"
    assert chat.say("sec-longxi-2", f"撤回心愿 {second} 已由物业安排") == f"已撤回心愿 #{second}，已从心愿墙上撤下。"
    assert chat.pushed("v-wu") == [f"社区撤下了心愿 #{second}：已由物业安排"]
    assert chat.pushed("r1") == [f"社区撤下了心愿 #{second}：已由物业安排"]
    assert chat.say("r1", f"撤回心愿 {second}") == f"心愿 #{second} 现在是「已撤回」，不能这样操作；发「心愿 {second}」看看。"


def test_ten_volunteers_claim_one_wish_at_once_and_exactly_one_wins(app, chat, volunteer_code):
    codes = [volunteer_code(f"志愿者{i}") for i in range(10)]
    for i, code in enumerate(codes):
        chat.say(f"v{i}", f"绑定 {code}")
    n = wish_number(chat.say("r1", "心愿：广场花苑小区2栋 想请人帮忙搬一下柜子"))
    replies = say_at_once(app, [(f"v{i}", f"认领心愿 {n}") for i in range(10)])
    winners = [i for i, r in replies.items() if r.startswith("认领成功")]
    assert len(replies) == 10 and len(winners) == 1, replies
    for i, reply in replies.items():
        if i != winners[0]:
            assert reply == f"谢谢您！心愿 #{n} 已由志愿者志愿者{winners[0]}认领了，发「心愿」看看还有哪些待认领。"
    assert chat.pushed("r1") == [f"您的心愿 #{n} 已由志愿者志愿者{winners[0]}认领，会尽快来帮忙。"]
