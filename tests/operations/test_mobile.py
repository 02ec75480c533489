"""The dashboard on a 390×844 phone: the overview does not scroll sideways, grid names stay on one line, and the
charts draw. Screenshots are kept in the test's folder. Skipped without /usr/bin/chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.test_browser import ARGS, CHROMIUM, png_is_blank, png_size, server  # noqa: F401  (fixture)

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")]


@pytest.fixture
def phone():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1, is_mobile=True,
                                      has_touch=True)
        yield context.new_page()
        context.close()
        browser.close()


def test_the_dashboard_fits_a_phone(server, phone, chat, tmp_path: Path):  # noqa: F811
    chat.say("p1", "广场花苑小区3栋的垃圾桶坏了")
    chat.say("p2", "濂溪路实验小学对面的路灯不亮了")
    phone.goto(f"{server}/dashboard/login")
    phone.fill("input[name=username]", "admin")
    phone.fill("input[name=password]", "sandan-demo")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#chart-category svg")
    for name in ("overview", "tickets"):
        if name == "tickets":
            phone.goto(f"{server}/dashboard/tickets")
            phone.wait_for_selector("#ticket-table")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
        data = phone.screenshot(path=str(tmp_path / f"phone-{name}.png"))
        assert png_size(data) == (PHONE["width"], PHONE["height"]) and not png_is_blank(data)
    phone.goto(f"{server}/dashboard/")
    phone.wait_for_selector("table.ratings")
    heights = phone.evaluate("[...document.querySelectorAll('table.ratings td:first-child')].map(td => td.clientHeight)")
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('table.ratings td')).lineHeight)")
    assert heights and max(heights) < 2 * line + 12, "a grid name wraps onto several lines"
