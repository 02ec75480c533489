"""The dashboard in headless Chromium: log in, see the KPIs, open a ticket, reassign from the queue.

Each page is screenshotted and the PNG checked to be the viewport's size and not blank.
Skipped when /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dispatch import tickets

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (the IHDR chunk right after the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_is_blank(data: bytes) -> bool:
    """True when every pixel row decodes to the same bytes (a single-colour page)."""
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    width, _ = png_size(data)
    stride = 1 + width * (4 if data[25] == 6 else 3)
    rows = {raw[i + 1:i + stride] for i in range(0, min(len(raw), stride * 400), stride) if raw[i] == 0}
    return len(set(raw[1:stride])) <= 1 and len(rows) <= 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):
    port = free_port()
    srv = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.shutdown()
    thread.join(5)


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, tmp_path: Path, name: str) -> None:
    data = page.screenshot(path=str(tmp_path / f"{name}.png"))
    assert png_size(data) == (VIEWPORT["width"], VIEWPORT["height"]), name
    assert not png_is_blank(data), f"{name}: the screenshot is blank"


def test_login_kpis_ticket_and_reassign(server, page, chat, db, queued, tmp_path):
    chat.say("b1", "广场花苑小区3栋的垃圾桶坏了")
    chat.say("b2", "森工大厦小区2栋电梯坏了<script>alert(1)</script>")
    waiting = queued("b3", "龙西小区5栋楼道灯不亮了")

    page.goto(f"{server}/dashboard/")
    assert "/dashboard/login" in page.url
    shot(page, tmp_path, "login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandan-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#kpis")
    assert page.inner_text("#kpis").startswith("3")
    assert "办结率" in page.inner_text("#kpis")
    page.wait_for_selector("#chart-category svg")        # ECharts drew (served from the project)
    shot(page, tmp_path, "overview")

    page.click("text=工单")
    page.wait_for_selector("#ticket-table")
    assert "<script>alert(1)</script>" in page.inner_text("#ticket-table")   # shown as text, never run
    shot(page, tmp_path, "tickets")
    page.click(f"#ticket-table a:text-is('{waiting}')")
    page.wait_for_selector("#timeline")
    assert "楼道灯" in page.inner_text("#ticket")
    shot(page, tmp_path, "ticket")

    page.click("text=待审核")
    page.wait_for_selector("#queue")
    row = page.locator("#queue tr", has_text="楼道灯")
    row.locator("select[name=target]").select_option("grid:longxi-2")
    shot(page, tmp_path, "queue")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.ok")
    assert f"工单 #{waiting} 已指派给龙西社区第二网格党支部" in page.inner_text(".flash.ok")
    assert tickets.get_ticket(db, waiting)["grid_id"] == "longxi-2"

    page.click("text=积分榜")
    page.wait_for_selector("#leaderboard")
    shot(page, tmp_path, "leaderboard")
