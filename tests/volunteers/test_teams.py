"""Rider teams, chosen names and 星级 through the real app: 「我叫」 kept or refused with the reason, 「加入」 a team
(the 网格长 told), the leaderboards by person and by team in chosen names, and a volunteer's stars in 积分."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.dispatch.conftest import ticket_number
from tests.volunteers.conftest import local


def test_riders_name_themselves_join_teams_and_rank_by_team(chat):
    with freeze_time(local(2026, 11, 24, 9, 0)):
        assert chat.say("rider-li", "排行榜") == (
            "本周还没有人得分，快来当第一名吧！\n发「我叫 名字」取个名字，上榜时就显示它。\n发「小队排行」看各小队的排名。")
        assert chat.say("rider-li", "我叫 小李") == "好的，以后就叫您「小李」。排行榜和小队里都显示这个名字。"
        assert chat.say("rider-chen", "我叫小李") == "「小李」已经有人用了，请换一个，比如加上您的姓。"
        assert chat.say("rider-chen", "我叫 ＸＬ") == "好的，以后就叫您「ＸＬ」。排行榜和小队里都显示这个名字。"
        assert chat.say("rider-li", "我叫 xl") == "「xl」已经有人用了，请换一个，比如加上您的姓。"
        assert chat.say("rider-chen", "我叫 网格长老陈") == "名字里不能有「网格长」，以免被当成工作人员，请换一个。"
        assert chat.say("rider-chen", "我叫 龙西一网格王书记") == "名字里不能有「书记」，以免被当成工作人员，请换一个。"
        assert chat.say("rider-chen", "我叫 陈13800001234") == "名字里不要写电话号码等一串数字，请换一个。"
        assert chat.say("rider-chen", "我叫 <b>陈</b>") == "名字里不能有 < > & 引号或方括号，请换一个。"
        assert chat.say("rider-chen", "我叫 陈]]>") == "名字里不能有 < > & 引号或方括号，请换一个。"
        assert chat.say("rider-chen", "我叫 陈 师 傅") == "名字里不能有空格或看不见的字符，请换一个。"
        assert chat.say("rider-chen", "我叫 陈\u200b师傅") == "名字里不能有空格或看不见的字符，请换一个。"
        assert chat.say("rider-chen", "我叫 一二三四五六七八九十一二三") == "名字最多 12 个字，请换个短一点的。"
        assert chat.say("rider-chen", "我叫 老陈") == "好的，以后就叫您「老陈」。排行榜和小队里都显示这个名字。"

        assert chat.say("rider-li", "我的小队") == (
            "您还没有加入小队。可加入：龙西小哥队、芙蓉骑士队，发「加入 小队名」即可。")
        assert chat.say("rider-li", "加入 飞天队") == "没有「飞天队」这个小队。可加入：龙西小哥队、芙蓉骑士队。"
        assert chat.say("rider-li", "加入 龙西小哥队") == (
            "欢迎加入龙西小哥队！网格长王师傅会联系您。您的积分会计入小队，发「小队排行」看小队排名。")
        assert chat.say("rider-li", "加入龙西小哥队") == "您已经在龙西小哥队了。发「我的小队」看看队友。"
        assert chat.say("rider-chen", "加入 芙蓉骑士队") == (
            "欢迎加入芙蓉骑士队！网格长周师傅会联系您。您的积分会计入小队，发「小队排行」看小队排名。")
        assert chat.say("sec-longxi-1", "加入 龙西小哥队") == "小队是给骑手的，工作人员不用加入。"
    assert chat.pushed("rider-wang") == ["【小队】小李加入了龙西小哥队。"]
    assert chat.pushed("rider-zhou") == ["【小队】老陈加入了芙蓉骑士队。"]

    with freeze_time(local(2026, 11, 24, 10, 0)):
        ticket_number(chat.say("rider-li", "广场花苑小区3栋的垃圾桶坏了"))
        ticket_number(chat.say("rider-li", "金桂园小区3栋门口垃圾没人清"))
        ticket_number(chat.say("rider-chen", "平东小区8栋下水道堵了"))
        ticket_number(chat.say("r7", "翠湖小区2栋楼道灯不亮了"))
    with freeze_time(local(2026, 11, 24, 11, 0)):
        assert chat.say("rider-chen", "排行榜") == (
            "本周志愿积分排行榜：\n🥇 小李（龙西小哥队） 20 分\n🥈 未署名的热心人 10 分\n🥉 老陈（芙蓉骑士队） 10 分\n"
            "您排第 3 名，继续加油！\n发「小队排行」看各小队的排名。")
        assert chat.say("rider-chen", "小队排行") == (
            "本周小队积分排行榜：\n🥇 龙西小哥队 20 分（1 人，网格长 王师傅）\n🥈 芙蓉骑士队 10 分（1 人，网格长 周师傅）\n"
            "您的芙蓉骑士队排第 2 名。")
        assert chat.say("r7", "小队排行") == (
            "本周小队积分排行榜：\n🥇 龙西小哥队 20 分（1 人，网格长 王师傅）\n🥈 芙蓉骑士队 10 分（1 人，网格长 周师傅）\n"
            "发「加入 龙西小哥队」加入小队，一起攒积分。")
        assert chat.say("rider-chen", "加入 龙西小哥队") == (
            "已离开芙蓉骑士队，欢迎加入龙西小哥队！网格长王师傅会联系您。您的积分会计入小队，发「小队排行」看小队排名。")
        assert chat.say("rider-li", "我的小队") == (
            "您在龙西小哥队，网格长 王师傅，共 2 人。本周积分：\n· 小李 20 分\n· 老陈 10 分\n"
            "发「小队排行」看各小队的排名，「退出小队」离开。")
        assert chat.say("rider-chen", "退出小队") == "已退出龙西小哥队。想加入别的小队，发「加入 小队名」。"
        assert chat.say("rider-chen", "退出小队") == (
            "您还没有加入小队。可加入：龙西小哥队、芙蓉骑士队，发「加入 小队名」即可。")


@pytest.mark.parametrize("text", ["我叫了物业好几次都没人来修", "我叫人来看过了，楼道灯还是不亮"])
def test_a_report_that_starts_with_wo_jiao_is_no_name(chat, text):
    assert "好的，以后就叫您" not in chat.say("r8", text)


def test_a_volunteer_sees_the_stars_in_points_and_spending_keeps_them(chat, volunteer_code):
    code = volunteer_code("吴阳春")
    with freeze_time(local(2026, 11, 23, 9, 0)):
        chat.say("v-wu", f"绑定 {code}")
        assert chat.say("v-wu", "积分") == (
            "您的志愿服务积分：0 分\n还没有积分记录。反映的问题被受理就能得分，附照片、报紧急隐患还有加分。\n"
            "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。\n"
            "志愿服务：0 次，累计 0 小时\n星级：还未评星；再得 30 分可评一星")
        n = ticket_number(chat.say("r1", "广场花苑小区3栋楼道灯泡坏了"))
        chat.say("v-wu", "平东小区8栋下水道堵了")
        chat.say("sec-longxi-1", f"征集 {n}")
        chat.say("v-wu", f"认领 {n}")
        chat.say("v-wu", f"完成 {n} 已换好灯泡")
        chat.say("sec-longxi-1", f"确认 {n}")
        assert chat.say("v-wu", "积分").splitlines()[-2:] == [
            "志愿服务：1 次，累计 1 小时", "星级：★ 一星志愿者；再得 70 分、服务再满 1 小时可评二星"]
        assert chat.say("v-wu", "兑换 爱心餐") == "兑换成功：爱心餐，扣 30 分，剩余 0 分。社区工作人员会联系您领取。"
        assert chat.say("v-wu", "积分").splitlines()[-1] == "星级：★ 一星志愿者；再得 70 分、服务再满 1 小时可评二星"
    assert "星级" not in chat.say("r1", "积分")      # a resident with no stars hears nothing of them


def test_in_the_riders_group_talk_of_joining_is_left_alone(client):
    from tests.conftest import API_KEY

    def group(text: str) -> dict:
        return client.post("/api/groups/messages", json={"group": "fengchao", "sender": "rider-x", "name": "阿X",
                                                         "text": text}, headers={"X-Api-Key": API_KEY}).get_json()

    assert (group("加入了蜂巢驿站好久了")["reply"], group("加入 我们吧")["reply"]) == ("", "")
    joined = group("加入 龙西小哥队")
    assert (joined["reply"], joined["private"]) == (
        "@阿X 已私信回复您。", "欢迎加入龙西小哥队！网格长王师傅会联系您。您的积分会计入小队，发「小队排行」看小队排名。")
