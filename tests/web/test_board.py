"""The public board without a login: ratings with the three rates, 物业 companies, an anonymised list of
reports and its JSON/RSS feeds; no name, phone, room or reporter's words on any public page."""

from __future__ import annotations

import pytest

from dispatch import colours, stats
from dispatch.clock import utcnow
from tests.dispatch.conftest import ticket_number

PERSONAL = ("13812345678", "138****5678", "张阿姨", "3栋", "502", "垃圾桶坏了", "楼道灯", "r-zhang", "api:")


@pytest.fixture
def reports(chat):
    """Two reports with personal details, one closed with a good rating."""
    a = ticket_number(chat.say("r-zhang", "我是张阿姨，电话13812345678，广场花苑小区3栋502门口垃圾桶坏了",
                               display_name="张阿姨"))
    b = ticket_number(chat.say("r-li", "龙西小区5栋楼道灯不亮了"))
    chat.say("sec-longxi-1", f"办结 {a} 已换新桶")
    chat.say("r-zhang", "满意")
    return a, b


def public_pages(client) -> dict[str, str]:
    paths = ["/board/", "/board/longxi", "/board/longxi?grid=longxi-1", "/board/feed.json",
             "/board/feed.json?community=longxi", "/board/feed.rss?community=longxi"]
    pages = {}
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, path
        pages[path] = r.get_data(as_text=True)
    return pages


def test_the_board_shows_rates_and_an_anonymised_list_to_anyone(client, reports):
    a, b = reports
    pages = public_pages(client)
    for path, body in pages.items():
        for secret in PERSONAL:
            assert secret not in body, (path, secret)
    feed = client.get("/board/feed.json?community=longxi").get_json()
    assert feed["reports"] == [
        {"id": b, "category": "物业服务", "place": "龙西小区", "community": "龙西社区", "grid": "龙西社区第二网格党支部",
         "state": "已派单，待接单", "reported": feed["reports"][0]["reported"], "resolved": ""},
        {"id": a, "category": "环境卫生", "place": "广场花苑小区", "community": "龙西社区", "grid": "龙西社区第一网格党支部",
         "state": "已完结", "reported": feed["reports"][1]["reported"], "resolved": feed["reports"][1]["reported"]}]
    page = pages["/board/longxi"]
    assert "<td>华源物业</td><td>广场花苑小区、金桂园小区</td>" in page
    assert f"<tr id=\"t{a}\"><td>#{a}</td><td>环境卫生</td><td>广场花苑小区</td><td>已完结</td>" in page
    assert "<td>100.0%</td><td>100.0%</td><td>100.0%</td>" in page           # the closed ticket's three rates
    assert f"<title>#{a} 环境卫生 · 广场花苑小区 · 已完结</title>" in pages["/board/feed.rss?community=longxi"]
    only_grid = pages["/board/longxi?grid=longxi-1"]
    assert f"#{a}</td>" in only_grid and f"#{b}</td>" not in only_grid
    assert client.get("/board/nowhere").status_code == 404


def test_ratings_by_fixed_shares(db, services, reports):
    config = services.config
    shares = config.settings.rating.model_copy(update={"colour_by": "shares", "red_share": 0.5, "yellow_share": 0.5})
    config = config.model_copy(update={"settings": config.settings.model_copy(update={"rating": shares})})
    start, end, _ = stats.quarter_of(utcnow(), config.settings.dispatch.timezone)
    rated = [g for g in stats.grid_ratings(db, config, start, end, utcnow()) if g.colour]
    assert [(g.grid_id, g.colour) for g in rated] == [("longxi-1", "红")]    # one rated grid: half of one rounds up


@pytest.mark.parametrize("scores,red,yellow,expected", [
    ([90, 80, 70, 60, 50, None, 40, 30, 20, 10], 0.3, 0.2, ["红", "红", "红", "蓝", "蓝", "", "蓝", "蓝", "黄", "黄"]),
    ([90, 90, 90], 0.3, 0.2, ["红", "红", "红"]),          # equal scores share the better colour
    ([88.5], 0.3, 0.2, ["蓝"]),                             # 30% of one rounds to none
    ([], 0.3, 0.2, []),
])
def test_colours_by_share(scores, red, yellow, expected):
    assert colours.by_share(scores, red, yellow) == expected
