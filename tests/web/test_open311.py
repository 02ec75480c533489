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


def test_request_by_id_maps_status_and_notes(client, chat, db):
    ticket_id = post(client, api_key=API_KEY).get_json()[0]["service_request_id"]
    one = client.get(f"{BASE}/requests/{ticket_id}.json").get_json()[0]
    assert (one["status"], one["status_notes"], one["service_code"]) == ("open", "已派单，待接单", "环境卫生")
    chat.say("sec-longxi-1", f"办结 {ticket_id} 已更换新桶")
    one = client.get(f"{BASE}/requests/{ticket_id}.json").get_json()[0]
    assert one["status"] == "closed" and "已更换新桶" in one["status_notes"]
    assert client.get(f"{BASE}/requests/99999.json").status_code == 404


def test_list_filters_by_status_and_service(client, chat):
    first = post(client, api_key=API_KEY).get_json()[0]["service_request_id"]
    post(client, api_key=API_KEY, service_code="物业服务", description="电梯坏了")
    chat.say("sec-longxi-1", f"办结 {first} 好了")
    closed = client.get(f"{BASE}/requests.json?status=closed").get_json()
    assert [r["service_request_id"] for r in closed] == [first]
    lifts = client.get(f"{BASE}/requests.json?service_code=物业服务").get_json()
    assert [r["description"] for r in lifts] == ["电梯坏了"]
    assert client.get(f"{BASE}/requests.json?start_date=2999-01-01T00:00:00Z").get_json() == []
    assert client.get(f"{BASE}/requests.json?start_date=yesterday").status_code == 400


def test_xml_escapes_user_text_and_masks_phones(client):
    text = "<b>垃圾</b> & 桶坏了 \x07 联系13812345678"
    ticket_id = post(client, api_key=API_KEY, description=text).get_json()[0]["service_request_id"]
    r = client.get(f"{BASE}/requests/{ticket_id}.xml")
    assert b"&lt;b&gt;" in r.data and b"&amp;" in r.data
    description = ET.fromstring(r.data).find("request/description").text
    assert description == "<b>垃圾</b> & 桶坏了  联系138****5678"
