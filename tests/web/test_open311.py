"""Open311 GeoReport v2: services, requests GET/POST (POST needs the key), one request, JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

API_KEY = "test-api-key"   # tests/conftest.py sets this key
from dispatch import tickets

BASE = "/open311/v2"


def post(client, **fields):
    data = {"service_code": "环境卫生", "description": "垃圾桶坏了", "address_string": "广场花苑小区3栋", **fields}
    return client.post(f"{BASE}/requests.json", data=data)


@pytest.mark.parametrize("ext", ["json", "xml"])
def test_services_are_the_categories(client, services, ext):
    r = client.get(f"{BASE}/services.{ext}")
    assert r.status_code == 200
    names = [c.name for c in services.config.deployment.categories]
    if ext == "json":
        assert [s["service_code"] for s in r.get_json()] == names
    else:
        assert [e.text for e in ET.fromstring(r.data).iter("service_code")] == names


@pytest.mark.parametrize("key", [None, "wrong"])
def test_post_without_the_key_is_refused(client, db, key):
    r = post(client, **({"api_key": key} if key else {}))
    assert r.status_code == 403
    assert r.get_json()[0]["code"] == 403
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_post_files_a_ticket_routed_to_the_grid(client, db, chat):
    r = post(client, api_key=API_KEY, email="li@example.org")
    assert r.status_code == 201
    ticket_id = r.get_json()[0]["service_request_id"]
    ticket = tickets.get_ticket(db, ticket_id)
    assert (ticket["category"], ticket["grid_id"], ticket["state"]) == ("环境卫生", "longxi-1", "routed")
    assert ticket["reporter"] == "open311:li@example.org"
    assert any(f"#{ticket_id}" in m for m in chat.pushed("sec-longxi-1"))


def test_post_needs_a_known_service_and_a_place(client):
    assert post(client, api_key=API_KEY, service_code="nope").status_code == 400
    r = post(client, api_key=API_KEY, address_string="")
    assert r.status_code == 400 and "location" in r.get_json()[0]["description"]


def test_a_request_with_only_a_position_keeps_it(client, chat):
    r = post(client, api_key=API_KEY, service_code="基础设施维护", description="路灯不亮", address_string="",
             lat="29.7045", long="116.0045")
    ticket_id = r.get_json()[0]["service_request_id"]
    one = client.get(f"{BASE}/requests/{ticket_id}.json", headers={"X-Api-Key": API_KEY}).get_json()[0]
    assert (one["lat"], one["long"], one["address"]) == (29.7045, 116.0045, "广场花苑小区附近")
    assert any(f"#{ticket_id} 基础设施维护｜广场花苑小区附近" in m for m in chat.pushed("sec-longxi-1"))


def test_request_by_id_maps_status_and_notes(client, chat, db):
    ticket_id = post(client, api_key=API_KEY).get_json()[0]["service_request_id"]
    one = client.get(f"{BASE}/requests/{ticket_id}.json").get_json()[0]
    assert (one["status"], one["status_notes"], one["service_code"]) == ("open", "已派单，待接单", "环境卫生")
    chat.say("sec-longxi-1", f"办结 {ticket_id} 已更换新桶")
    one = client.get(f"{BASE}/requests/{ticket_id}.json").get_json()[0]
    assert (one["status"], one["status_notes"]) == ("closed", "已办结，待评价")
    keyed = client.get(f"{BASE}/requests/{ticket_id}.json?api_key={API_KEY}").get_json()[0]
    assert keyed["status_notes"] == "已办结，待评价：已更换新桶"
    assert client.get(f"{BASE}/requests/99999.json").status_code == 404


def test_list_filters_by_status_and_service(client, chat):
    first = post(client, api_key=API_KEY).get_json()[0]["service_request_id"]
    post(client, api_key=API_KEY, service_code="物业服务", description="电梯坏了")
    chat.say("sec-longxi-1", f"办结 {first} 好了")
    closed = client.get(f"{BASE}/requests.json?status=closed").get_json()
    assert [r["service_request_id"] for r in closed] == [first]
    lifts = client.get(f"{BASE}/requests.json?service_code=物业服务").get_json()
    assert [r["description"] for r in lifts] == ["物业服务｜广场花苑小区3栋"]
    assert client.get(f"{BASE}/requests.json?start_date=2999-01-01T00:00:00Z").get_json() == []
    assert client.get(f"{BASE}/requests.json?start_date=yesterday").status_code == 400


def test_xml_escapes_user_text_and_masks_phones(client):
    text = "<b>垃圾</b> & 桶坏了 \x07 联系13812345678"
    ticket_id = post(client, api_key=API_KEY, description=text).get_json()[0]["service_request_id"]
    r = client.get(f"{BASE}/requests/{ticket_id}.xml", headers={"X-Api-Key": API_KEY})
    assert b"&lt;b&gt;" in r.data and b"&amp;" in r.data
    description = ET.fromstring(r.data).find("request/description").text
    assert description == "<b>垃圾</b> & 桶坏了  联系138****5678"


PRIVATE_STORY = "龙西小区5栋2单元302室独居老人张桂英腿脚不便，电话13812345678，希望社区上门看看"


def test_public_list_shows_reports_without_personal_details(client, chat):
    chat.say("r2", PRIVATE_STORY)
    chat.say("r3", "转人工")
    chat.say("r3", "我家孩子上学的事情想咨询一下，我叫李明住在书香苑2栋101")
    for path in (f"{BASE}/requests.json", f"{BASE}/requests.xml", f"{BASE}/requests/1.json"):
        body = client.get(path).get_data(as_text=True)
        for private in ("张桂英", "302室", "13812345678", "138****5678", "李明", "转人工", "上学"):
            assert private not in body, (path, private)
    public = client.get(f"{BASE}/requests.json").get_json()
    assert [(r["service_request_id"], r["description"]) for r in public] == [(1, "居家养老｜龙西小区5栋")]


def test_questions_and_transfers_to_a_person_are_not_service_requests(client, chat):
    chat.say("r3", "转人工")
    assert client.get(f"{BASE}/requests/1.json").status_code == 404
    assert client.get(f"{BASE}/requests.json?service_request_id=1").get_json() == []
    assert client.get(f"{BASE}/requests/1.json", headers={"X-Api-Key": API_KEY}).status_code == 404


def test_the_api_key_shows_the_residents_words(client, chat):
    chat.say("r2", PRIVATE_STORY)
    for query in (f"?api_key={API_KEY}", ""):
        r = client.get(f"{BASE}/requests.json{query}", headers={} if query else {"X-Api-Key": API_KEY})
        assert r.get_json()[0]["description"] == PRIVATE_STORY.replace("13812345678", "138****5678")
    wrong = client.get(f"{BASE}/requests.json?api_key=wrong").get_json()[0]
    assert wrong["description"] == "居家养老｜龙西小区5栋"


def test_a_retried_post_files_one_ticket(client, db, chat):
    first = post(client, api_key=API_KEY, email="a@b.c").get_json()[0]
    again = post(client, api_key=API_KEY, email="a@b.c").get_json()[0]
    assert again["service_request_id"] == first["service_request_id"]
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    assert "不另立单" in again["service_notice"]
    other = post(client, api_key=API_KEY, email="c@d.e", description="3栋垃圾桶坏了好几天了").get_json()[0]
    assert other["service_request_id"] == first["service_request_id"]
    assert tickets.get_ticket(db, first["service_request_id"])["reporters"] == 2


def test_the_notice_speaks_to_an_api_client(client):
    notice = post(client, api_key=API_KEY).get_json()[0]["service_notice"]
    assert notice.startswith("已收到，工单 1，由龙西社区第一网格党支部办理")
    assert notice.endswith("进度见 GET /open311/v2/requests/1.json")
    assert "回复" not in notice


def test_a_chat_report_with_a_labelled_location_is_described_by_its_label(chat, client):
    chat.say("rider-c", "这里有人晕倒了", location=[29.7041, 116.0041], location_label="广场花苑小区东门")
    assert any("广场花苑小区东门" in m for m in chat.pushed("sec-longxi-1"))
    [request] = client.get("/open311/v2/requests.json", headers={"X-Api-Key": API_KEY}).get_json()
    assert request["address"] == "广场花苑小区东门"


def test_the_public_sees_a_point_to_100_m_and_no_label_photo_or_unreviewed_report(client, chat, db):
    """Anyone may list requests: no door, no words of the sender's map, no photo, nothing not yet reviewed."""
    chat.say("rider-c", "路灯不亮了", location=[29.704123, 116.004567], location_label="张家门口",
             photos=["https://mmbiz.example/photo-of-my-door.jpg"])
    review = int(chat.say("r9", "龙西小区的路灯坏了").split("工单号 ")[1].split("。")[0])   # which grid: for review
    assert tickets.get_ticket(db, review)["state"] == "received"
    public = client.get(f"{BASE}/requests.json").get_data(as_text=True)
    for private in ("张家门口", "mmbiz", "29.704123", "116.004567"):
        assert private not in public
    [request] = client.get(f"{BASE}/requests.json").get_json()
    assert (request["lat"], request["long"], request["media_url"]) == (29.704, 116.005, None)
    assert request["description"] == "基础设施维护｜位置见坐标"
    assert client.get(f"{BASE}/requests/{review}.json").status_code == 404
    assert client.get(f"{BASE}/requests.json?service_request_id={review}").get_json() == []
    keyed = client.get(f"{BASE}/requests.json", headers={"X-Api-Key": API_KEY}).get_json()
    assert {r["service_request_id"] for r in keyed} == {1, review}
    assert [r["media_url"] for r in keyed if r["service_request_id"] == 1] == [
        "https://mmbiz.example/photo-of-my-door.jpg"]
