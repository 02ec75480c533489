"""Photos both ways through the WeChat stand-in: the grid secretary's push carries the reporter's photo, and
the reporter receives the result photo as a WeChat image message (uploaded through media/upload when the
bot holds the file)."""

from __future__ import annotations


import requests

from bot.webchat import save_photo
from dispatch.clock import iso, utcnow
from dispatch.users import set_role
from tests.channels.conftest import tiny_png
from tests.channels.test_wechat import ticket_no

RIDER = "oRider000000000000000000001"
SECRETARY = "oSecretary00000000000000001"
WORKER = "wang.secretary"


def picture(standin, media_id: str) -> bytes:
    r = requests.get(f"{standin.url}/_standin/pic/{media_id}", timeout=5)
    assert r.status_code == 200, media_id
    return r.content


def bind(db, user: str) -> None:
    set_role(db, user, "grid_secretary", utcnow(), grid_id="longxi-1", community_id="longxi", display_name="王书记")
    db.execute("UPDATE users SET last_inbound_at = ? WHERE id = ?", [iso(utcnow()), user])


def test_the_secretary_gets_the_reporters_photo_and_the_reporter_the_result_photo(wechat, db, push, standin):
    bind(db, f"wechat:{SECRETARY}")
    report = tiny_png(40, 30)
    wechat.image(RIDER, report)
    n = ticket_no(wechat.text(RIDER, "广场花苑小区3栋的垃圾桶坏了").text)
    push()
    to_secretary = [m for m in standin.sent() if m["touser"] == SECRETARY]
    assert [m["msgtype"] for m in to_secretary] == ["text", "image"]
    assert to_secretary[0]["text"].startswith(f"【新工单】#{n} 环境卫生｜广场花苑小区3栋")
    assert picture(standin, to_secretary[1]["media_id"]) == report      # the rider's own photo, as it came

    wechat.text(SECRETARY, f"接单 {n}")
    result = tiny_png(60, 20)
    wechat.image(SECRETARY, result)
    wechat.text(SECRETARY, f"办结 {n} 已更换新垃圾桶")
    push()
    to_rider = [m for m in standin.sent() if m["touser"] == RIDER]
    assert [m["msgtype"] for m in to_rider] == ["text", "text", "image"]
    assert to_rider[1]["text"] == (f"您反映的问题（工单 {n}）已办结（附处理照片）：已更换新垃圾桶\n"
                                   "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。")
    assert picture(standin, to_rider[2]["media_id"]) == result


def test_a_photo_the_bot_holds_is_uploaded_and_a_path_elsewhere_never_is(chat, work, db, push, standin, services,
                                                                         tmp_path):
    bind(db, f"work_wechat:{WORKER}")
    report = tiny_png(30, 30)
    held = save_photo(services.config, report)                     # as /chat stores an upload
    secret = tmp_path / "secret.png"
    secret.write_bytes(tiny_png(5, 5))                              # outside the media folder
    n = ticket_no(chat.say("rider-9", "广场花苑小区3栋的垃圾桶坏了",
                           photos=[held, {"url": "x", "path": str(secret)}]))
    push()
    to_worker = [m for m in standin.sent() if m["touser"] == WORKER]
    assert [m["msgtype"] for m in to_worker] == ["text", "image"]
    assert to_worker[0]["text"].startswith(f"【新工单】#{n} ")
    assert picture(standin, to_worker[1]["media_id"]) == report        # uploaded from the bot's media folder
