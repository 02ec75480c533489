"""帮办二维码 through the real /wechat callback (signed, safe mode): a scan of a poster's parametric code tells the bot
the place, so the person's next report files there with no 「哪个小区？」; a follow made through the code does the same;
a code that names no listed estate is only acknowledged."""

from __future__ import annotations

import re

from tests.dispatch.conftest import ticket_number


def test_a_scan_then_a_placeless_report_files_at_the_scanned_place(wechat):
    scanned = wechat.event("o-scan", "SCAN", EventKey="place:广场花苑小区:3栋", Ticket="gQH47joAAAAAAAAAASxod")
    assert scanned.text == ("您好！这里是「广场花苑小区3栋」的帮办二维码 📍 有问题直接发文字、照片或语音，不用再说小区；"
                            "想请邻居帮个小忙，发「心愿：想请人帮忙…」。")
    reply = wechat.text("o-scan", "垃圾桶坏了好几天了").text
    n = ticket_number(reply)
    assert re.fullmatch(rf"已收到，工单号 {n}，已派给龙西社区第一网格党支部处理，预计 .+ 前办结。回复「进度 {n}」可随时查看。",
                        reply), reply
    status = wechat.text("o-scan", f"进度 {n}").text
    assert status.startswith(f"工单 #{n}：垃圾桶坏了好几天了（广场花苑小区3栋）\n地点：广场花苑小区3栋\n"), status
    again = ticket_number(wechat.text("o-scan", "楼道里堆满了杂物").text)     # the place holds for a while
    assert "\n地点：广场花苑小区3栋\n" in wechat.text("o-scan", f"进度 {again}").text
    assert wechat.text("o-other", "垃圾桶坏了").text.startswith("请问是哪个小区、几栋？")   # only for who scanned
    wish = wechat.text("o-scan", "心愿：想请人帮忙换个灯泡").text                  # a wish files there too
    assert wish.startswith("已收到您的微心愿，心愿号 1：已发布到龙西社区的心愿墙（广场花苑小区3栋），"), wish


def test_a_follow_through_the_code_welcomes_and_remembers_the_place(wechat):
    follow = wechat.event("o-new", "subscribe", EventKey="qrscene_place:龙西小区:20栋", Ticket="gQH47joAAAAAAAAAASxod")
    assert follow.text.endswith("\n您好！这里是「龙西小区20栋」的帮办二维码 📍 有问题直接发文字、照片或语音，不用再说小区；"
                                "想请邻居帮个小忙，发「心愿：想请人帮忙…」。")
    assert follow.text.startswith("欢迎关注！")
    n = ticket_number(wechat.text("o-new", "单元门坏了关不上").text)
    status = wechat.text("o-new", f"进度 {n}").text
    assert "\n地点：龙西小区20栋\n" in status and "\n办理：龙西社区第三网格党支部\n" in status, status  # 16-40栋: third grid


def test_a_code_for_no_listed_estate_is_only_acknowledged(wechat):
    assert wechat.event("o-x", "SCAN", EventKey="place:桃源小区", Ticket="t").text == (
        "扫码收到 👋 有什么问题直接发文字、照片、视频、语音或位置告诉我。")
    assert wechat.text("o-x", "垃圾桶坏了").text.startswith("请问是哪个小区、几栋？")
