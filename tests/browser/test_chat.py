"""/chat in a real headless Chromium: a rider reports with a photo, the grid secretary sees the push."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

import pytest

from tests.channels.conftest import tiny_png

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1000, "height": 700}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)"),
]


@pytest.fixture
def services(services):
    from tests.channels.test_webchat import demo_on

    return demo_on(services)


@pytest.fixture
def live_url(app):
    """The app on a free port in a thread, as a browser needs a real socket."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(15000)
        yield page
        browser.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_rider_reports_with_a_photo_and_the_secretary_receives_the_push(live_url, page, tmp_path):
    photo = tmp_path / "bin.png"
    photo.write_bytes(tiny_png(40, 30))

    page.goto(f"{live_url}/chat")
    page.select_option("#persona", "rider-li")
    page.set_input_files("#photo", str(photo))
    page.fill("#text", "广场花苑小区3栋的垃圾桶坏了")
    page.click("#send")
    page.wait_for_selector("#log-direct .msg:not(.mine) .bubble:has-text('工单号')")
    assert page.locator("#log-direct .msg.mine img").count() == 1
    assert page.evaluate("document.querySelector('#log-direct .msg.mine img').naturalWidth") == 40

    page.fill("#text", "<b>bold?</b>")
    page.click("#send")
    page.wait_for_selector("#log-direct .msg.mine .bubble:has-text('<b>bold?</b>')")
    assert page.locator("#log-direct b").count() == 0                 # shown as text, never as markup

    page.select_option("#persona", "sec-longxi-1")
    push = page.wait_for_selector("#log-direct .msg.push .bubble:has-text('接单')")
    assert "垃圾桶坏了" in push.inner_text()

    shot = page.screenshot()
    (tmp_path / "chat.png").write_bytes(shot)
    assert len(shot) > 5000
    assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])


def test_the_riders_group_updates_live(live_url, page):
    page.goto(f"{live_url}/chat")
    page.select_option("#persona", "rider-chen")
    page.click("#chat-fengchao")
    page.fill("#text", "龙西小区5栋楼道灯不亮了")
    page.click("#send")
    page.wait_for_selector("#log-fengchao .bubble:has-text('工单号')")
    page.select_option("#persona", "rider-li")
    page.wait_for_selector("#log-fengchao .msg:not(.mine) .name:has-text('小陈')")
    assert page.locator("#chat-fengchao .badge").is_hidden()          # it is the open chat: nothing unread
