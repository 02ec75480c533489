"""The roster, the teams and the 代办 list in a real headless Chromium, on a desktop and on a 390x844 phone: filter
the roster, download the 民主评议 export, read a rider's chosen name as text, see the phone masked, and the page
never scrolls sideways."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_chat import CHROMIUM, live_url, page  # noqa: F401 - fixtures
from tests.volunteers.conftest import volunteer_code  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


def fits(page, viewport) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_roster_teams_and_proxies(live_url, page, chat, volunteer_code, viewport, tmp_path):  # noqa: F811
    chat.say("v-wu", f"绑定 {volunteer_code('吴阳春')}")
    chat.say("v-wu", "我的特长 水电维修")
    chat.say("v-zhao", f"绑定 {volunteer_code('赵敏')}")
    chat.say("v-zhao", "我的特长 陪老人聊天")
    chat.say("rider-li", "加入 龙西小哥队", name="<b>李</b>")     # the name the rider's channel gives
    chat.say("rider-li", "广场花苑小区3栋的垃圾桶坏了")
    chat.say("dispatcher-longxi", "代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水")

    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/dashboard/volunteers")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandan-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#roster")
    assert page.locator("#roster tr").count() == 4            # the header and three people
    assert fits(page, viewport)
    page.fill("input[name=skill]", "水电")
    page.click("#roster-filters button[type=submit]")
    page.wait_for_url(re.compile(r"skill="))
    assert page.locator("#roster tr").count() == 2 and "吴阳春" in page.inner_text("#roster")
    with page.expect_download() as info:
        page.click("text=导出 Excel（民主评议）")
    assert info.value.suggested_filename == "volunteers.xlsx"
    page.screenshot(path=str(tmp_path / f"roster-{viewport['width']}.png"), full_page=True)

    page.click("nav >> text=小队")
    page.wait_for_selector("#team-standings")
    assert page.locator("#team-longxi-riders td").first.inner_text() == "<b>李</b>"   # text, never markup
    assert page.locator("main b").count() == 0
    assert fits(page, viewport)

    page.click("nav >> text=代办")
    page.wait_for_selector("#proxies")
    text = page.inner_text("#proxies")
    assert "张阿姨" in text and "138****1234" in text and "13800001234" not in page.content()
    assert fits(page, viewport)
