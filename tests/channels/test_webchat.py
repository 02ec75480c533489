"""/chat through the Flask client: personas, sending text and photos, updates, escaping."""

from __future__ import annotations

import io
import json

import pytest

import wording
from dispatch import media
from bot.services import Services
from tests.channels.conftest import tiny_png
from tests.conftest import build_app


def demo_on(services: Services) -> Services:
    s = services.config.settings
    settings = s.model_copy(update={"web": s.web.model_copy(update={"demo_chat": True})})
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


@pytest.fixture
def services(services: Services) -> Services:
    """/chat is on only when asked for (``sandan demo`` does)."""
    return demo_on(services)


def send(client, persona: str, text: str = "", chat: str = "", photo: bytes | None = None, name: str = "p.png"):
    data = {"persona": persona, "text": text, "chat": chat}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), name)
    return client.post("/chat/send", data=data, content_type="multipart/form-data")


def updates(client, persona: str, **after):
    q = "&".join(f"{k}={v}" for k, v in after.items())
    return client.get(f"/chat/updates?persona={persona}&{q}").get_json()


def test_the_page_lists_personas_and_the_riders_group_and_says_it_is_a_demo(client):
    page = client.get("/chat").get_data(as_text=True)
    for expected in ("小李", "骑手", "龙西一网格王书记", "网格书记", "龙西社区调度员", "居民", "蜂巢驿站", "演示"):
        assert expected in page
    assert "http://" not in page and "https://" not in page          # no CDN: everything is served here
    assert client.get("/chat/static/chat.js").status_code == 200


def test_a_rider_reports_with_a_photo_and_the_secretary_sees_the_push(client, services, db):
    png = tiny_png()
    r = send(client, "rider-li", "广场花苑小区3栋的垃圾桶坏了", photo=png)
    assert r.status_code == 200 and "工单号" in r.get_json()["reply"]
    mine = updates(client, "rider-li")["direct"]
    assert len(mine) == 1 and mine[0]["photos"][0].startswith("/chat/media/")
    assert client.get(mine[0]["photos"][0]).data == png
    [photo] = json.loads(next(iter(db.query("SELECT photos FROM messages")))["photos"])
    assert media.for_config(services.config).read(photo["path"], db) == png     # kept where the deployment keeps media
    pushes = updates(client, "sec-longxi-1")["pushes"]
    assert len(pushes) == 1 and "接单" in pushes[0]["text"]


def test_the_group_shows_everyones_messages_and_the_bots_answers(client):
    send(client, "rider-li", "谢谢大家", chat="fengchao")
    send(client, "rider-chen", "龙西小区5栋楼道灯不亮了", chat="fengchao")
    group = updates(client, "rider-li")["group"]
    assert [(m["name"], m["mine"]) for m in group] == [("小李", True), ("小陈", False)]
    assert group[0]["reply"] == "" and "工单号" in group[1]["reply"]
    assert updates(client, "rider-li", group=group[-1]["id"])["group"] == []


def test_unknown_personas_groups_and_files_are_refused(client):
    assert send(client, "dept-ludeng", "接单 1").status_code == 400        # not a demo persona
    assert send(client, "rider-li", "hi", chat="other").status_code == 400
    r = send(client, "rider-li", photo=b"<svg onload=alert(1)>", name="x.svg")
    assert r.status_code == 400 and r.get_json()["ok"] is False
    assert send(client, "rider-li").status_code == 400


def test_user_text_is_never_markup(client):
    send(client, "rider-li", "<script>alert(1)</script>", chat="fengchao")
    r = client.get("/chat/updates?persona=rider-li")
    assert r.mimetype == "application/json"
    page = client.get("/chat").get_data(as_text=True)
    assert "<script>alert" not in page


def test_the_demo_can_be_switched_off(client, app):
    services = app.config["SANDAN_SERVICES"]
    web = services.config.settings.web.model_copy(update={"demo_chat": False})
    settings = services.config.settings.model_copy(update={"web": web})
    app.config["SANDAN_SERVICES"] = type(services)(services.config.model_copy(update={"settings": settings}),
                                                   services.engine, services.knowledge)
    assert client.get("/chat").status_code == 404
    assert send(client, "rider-li", "hi").status_code == 404


def test_the_demo_is_off_unless_asked_for(base_services, tmp_path, caplog):
    """config.yaml and the settings default leave /chat off; turned on, the start-up says so loudly."""
    assert base_services.config.settings.web.demo_chat is False
    s = base_services.config.settings
    settings = s.model_copy(update={"store": s.store.model_copy(update={"path": str(tmp_path / "off.db")})})
    off = Services(base_services.config.model_copy(update={"settings": settings}), base_services.engine,
                   base_services.knowledge)
    with caplog.at_level("WARNING"):
        assert build_app(off).test_client().get("/chat").status_code == 404
        assert wording.DEMO_CHAT_ON_WARNING not in caplog.text
        assert build_app(demo_on(off)).test_client().get("/chat").status_code == 200
    assert wording.DEMO_CHAT_ON_WARNING in caplog.text


def test_demo_staff_never_see_or_touch_a_real_residents_ticket(client, chat):
    """A visitor posing as the dispatcher or the secretary: nothing of a WeChat/API resident's report."""
    n = int(chat.say("alice", "广场花苑小区3栋的垃圾桶坏了 我的电话13812345678").split("工单号 ")[1].split("，")[0])
    assert updates(client, "sec-longxi-1")["pushes"] == []
    for persona, command in (("dispatcher-longxi", f"驳回 {n} 不是问题"), ("sec-longxi-1", f"接单 {n}"),
                             ("sec-longxi-1", f"办结 {n} 已处理"), ("dispatcher-longxi", f"进度 {n}")):
        reply = send(client, persona, command).get_json()["reply"]
        assert "13812345678" not in reply and "垃圾桶" not in reply
    for persona in ("sec-longxi-1", "dispatcher-longxi"):
        assert "垃圾桶" not in send(client, persona, "待办").get_json()["reply"]
    assert chat.pushed("alice") == []            # nothing happened to the real ticket
    # the same report from the demo is the demo's own ticket, and reaches the demo's secretary
    assert "工单号" in send(client, "rider-li", "广场花苑小区3栋的垃圾桶坏了").get_json()["reply"]
    assert any("垃圾桶" in p["text"] for p in updates(client, "sec-longxi-1")["pushes"])


def test_the_group_view_shows_only_the_demo(client):
    client.post("/api/groups/messages", json={"group": "fengchao", "sender": "wxid_real", "name": "真骑手",
                                              "text": "龙西小区5栋楼道灯不亮了"}, headers={"X-Api-Key": "test-api-key"})
    send(client, "rider-li", "大家好", chat="fengchao")
    assert [m["name"] for m in updates(client, "rider-chen")["group"]] == ["小李"]
