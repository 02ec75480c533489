"""帮办 in a real headless Chromium: staff file for a resident on the dashboard's 代办 form (the phone shown masked),
print a 帮办二维码 poster from the 二维码 page, and a resident who opens the web chat from that code reports without
being asked 「哪个小区？」."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.browser.test_chat import CHROMIUM, live_url, page, services  # noqa: F401 - fixtures (/chat on)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


def log_in(page, live_url: str) -> None:  # noqa: F811
    page.goto(f"{live_url}/dashboard/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandan-demo")
    page.click("button[type=submit]")


def test_a_proxy_filing_and_a_poster_whose_code_opens_the_chat_at_the_place(live_url, page):  # noqa: F811
    log_in(page, live_url)
    page.click("nav >> text=代办")
    page.fill("input[name=name]", "张阿姨")
    page.fill("input[name=phone]", "13800001234")
    page.fill("input[name=place]", "广场花苑小区5栋")
    page.fill("textarea[name=text]", "水管漏水")
    page.click("#proxy-form button[type=submit]")
    flash = page.inner_text(".flash.ok")
    assert flash.startswith("已代张阿姨（138****1234）登记。已收到，工单号 1，已派给龙西社区第一网格党支部处理，"), flash
    assert "请把居民码 " in flash
    row = page.inner_text("#proxies tr:nth-child(2)")
    assert "张阿姨" in row and "138****1234" in row and "已派单，待接单" in row
    assert "13800001234" not in page.content()

    page.click("nav >> text=二维码")
    row = page.locator("#qrcodes tr", has_text="广场花苑小区")
    row.locator("input[name=building]").fill("3")
    row.locator("select[name=channel]").select_option("web")
    with page.expect_popup() as opened:
        row.locator("button[value=png]").click()
    poster = opened.value
    poster.wait_for_load_state()
    png = page.request.get(poster.url).body()
    [code] = [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert code.startswith("http://127.0.0.1:8800/chat?place=")

    page.goto(live_url + code.removeprefix("http://127.0.0.1:8800"))       # the resident's phone opens the code
    page.wait_for_selector("#log-direct .msg:not(.mine) .bubble:has-text('「广场花苑小区3栋」的帮办二维码')")
    assert page.locator("#log-direct .msg.mine").count() == 0           # the scan shows no words of the resident's
    page.fill("#text", "垃圾桶坏了")
    page.click("#send")
    reply = page.wait_for_selector("#log-direct .msg:not(.mine) .bubble:has-text('工单号')").inner_text()
    assert "已派给龙西社区第一网格党支部处理" in reply and "哪个小区" not in page.inner_text("#log-direct")
