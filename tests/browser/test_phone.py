"""/chat and the dashboard it links, on a phone-sized screen (390 × 844) in headless Chromium: the 发送 button
is on screen, a report goes through, and no page is wider than the phone."""

from __future__ import annotations

import pytest

from tests.browser.test_chat import ARGS, CHROMIUM, live_url, services  # noqa: F401  (fixtures: /chat switched on)

PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


@pytest.fixture
def phone():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                      device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def on_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= PHONE["width"] \
        and box["y"] + box["height"] <= PHONE["height"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_rider_reports_from_a_phone(live_url, phone):  # noqa: F811
    phone.goto(f"{live_url}/chat")
    phone.select_option("#persona", "rider-li")
    for part in ("#send", "#text", "#persona", "#chat-fengchao"):
        assert on_screen(phone, part), part
    assert page_width(phone) <= PHONE["width"]
    phone.fill("#text", "广场花苑小区3栋的垃圾桶坏了，已经好几天了，麻烦尽快派人来看看")
    phone.click("#send")
    reply = phone.wait_for_selector("#log-direct .msg:not(.mine) .bubble:has-text('工单号')")
    assert on_screen(phone, "#send")
    box = reply.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]            # the reply wraps inside the screen
    assert page_width(phone) <= PHONE["width"]


def test_the_dashboard_the_chat_links_fits_a_phone(live_url, phone, chat):  # noqa: F811
    chat.say("b1", "广场花苑小区3栋的垃圾桶坏了")
    phone.goto(f"{live_url}/chat")
    with phone.context.expect_page() as opened:
        phone.click("text=社区工作台")
    desk = opened.value
    desk.wait_for_selector("input[name=username]")
    assert page_width(desk) <= PHONE["width"]
    desk.fill("input[name=username]", "admin")
    desk.fill("input[name=password]", "sandan-demo")
    desk.click("button[type=submit]")
    desk.wait_for_selector("#kpis")
    for link, ready in (("总览", "#kpis"), ("待审核", "#queue, .card"), ("工单", "#ticket-table"),
                        ("积分榜", "main")):
        desk.click(f".top nav >> text={link}")
        desk.wait_for_selector(ready)
        assert page_width(desk) <= PHONE["width"], link
