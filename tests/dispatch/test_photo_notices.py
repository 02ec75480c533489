"""A photo sent on its own after its words reaches whoever the words reached (tickets.attach_photos)."""

from __future__ import annotations

from datetime import datetime, timezone

from dispatch import tickets
from tests.conftest import API_KEY
from tests.dispatch.conftest import ticket_number

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)


def inbox(client, user: str) -> list[dict]:
    return client.get(f"/api/inbox?user=api:{user}", headers={"X-Api-Key": API_KEY}).get_json()["messages"]


def test_a_later_report_photo_goes_to_the_handler_and_a_later_result_photo_to_the_reporter(chat, client, db):
    n = ticket_number(chat.say("rider-1", "广场花苑小区3栋的垃圾桶坏了", photos=["https://img.example/1.jpg"]))
    assert inbox(client, "sec-longxi-1")[-1]["photos"] == ["https://img.example/1.jpg"]

    tickets.attach_photos(db, n, [{"url": "https://img.example/2.jpg"}], "report", NOW)
    last = inbox(client, "sec-longxi-1")[-1]
    assert (last["body"], last["photos"]) == (f"【补充照片】工单 #{n}（广场花苑小区3栋）反映人补充了照片。",
                                              ["https://img.example/2.jpg"])

    chat.say("sec-longxi-1", f"办结 {n} 已更换", photos=["https://img.example/done.jpg"])
    assert inbox(client, "rider-1")[-1]["photos"] == ["https://img.example/done.jpg"]
    tickets.attach_photos(db, n, [{"url": "https://img.example/a.jpg"}, {"url": "https://img.example/b.jpg"}],
                          "result", NOW)
    last = inbox(client, "rider-1")[-1]
    assert (last["body"], last["photos"]) == (f"工单 {n} 的处理照片 2 张，请看看办得怎么样。",
                                              ["https://img.example/a.jpg", "https://img.example/b.jpg"])
