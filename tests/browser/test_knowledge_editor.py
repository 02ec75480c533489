"""The knowledge editor in a real headless Chromium, on a desktop and on a 390x844 phone: write an item, preview
the reply the chat will send, save it, and the page never scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.test_chat import CHROMIUM, live_url, page  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_write_preview_and_save_an_item(live_url, page, viewport, tmp_path):  # noqa: F811
    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/dashboard/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandan-demo")
    page.click("button[type=submit]")
    page.goto(f"{live_url}/dashboard/knowledge/new?question=宠物狗怎么办狗证？")
    assert page.input_value("textarea[name=questions]") == "宠物狗怎么办狗证？"
    page.fill("input[name=title]", "犬只登记（狗证）办理")
    page.fill("input[name=materials]", "身份证、狂犬疫苗接种证明")
    page.click("#preview-button")
    assert page.inner_text("#preview") == "关于「犬只登记（狗证）办理」，一次说清：\n· 带齐材料：身份证、狂犬疫苗接种证明"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(tmp_path / f"kb-{viewport['width']}.png"), full_page=True)
    page.click("#save-button")
    assert "已保存「犬只登记（狗证）办理」，居民再问就会自动回复。" in page.inner_text("main")
    page.goto(f"{live_url}/dashboard/knowledge/")
    assert "犬只登记（狗证）办理" in page.inner_text("#items")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
