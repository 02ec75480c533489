"""The public board in a real headless Chromium, on a desktop and on a 390x844 phone: readable without a login,
no sideways scrolling of the page, and no personal data in what a visitor sees."""

from __future__ import annotations

import pytest

from tests.browser.test_chat import CHROMIUM, live_url, page  # noqa: F401 - fixtures
from tests.dispatch.conftest import ticket_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_public_board_on_desktop_and_phone(chat, live_url, page, viewport, tmp_path):  # noqa: F811
    n = ticket_number(chat.say("r-zhang", "我是张阿姨，电话13812345678，广场花苑小区3栋502门口垃圾桶坏了",
                               display_name="张阿姨"))
    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/board/longxi")
    assert page.title().startswith("龙西社区")
    row = page.locator(f"#t{n}")
    assert row.inner_text().split("\t")[:4] == [f"#{n}", "环境卫生", "广场花苑小区", "已派单，待接单"]
    assert page.locator("#community-longxi td.colour").count() == 5    # three grids and two 物业 companies
    text = page.locator("body").inner_text()
    for secret in ("13812345678", "138****5678", "张阿姨", "3栋", "502", "垃圾桶坏了"):
        assert secret not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]   # tables scroll, not the page
    page.screenshot(path=str(tmp_path / f"board-{viewport['width']}.png"), full_page=True)
