"""A resident's voice without Recognition, heard on the dashboard: headless Chromium plays the recording.

Skipped without /usr/bin/chromium or without ffmpeg (WeChat's AMR plays in no browser until converted).
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.channels.test_media_and_follows import AMR, RIDER
from tests.web.test_browser import ARGS, CHROMIUM, VIEWPORT, server  # noqa: F401  (server is a fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
              pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (apt-get install ffmpeg)")]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=ARGS + ["--autoplay-policy=no-user-gesture-required"])
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def test_the_dispatcher_plays_the_recording_on_the_dashboard(server, page, wechat, download):  # noqa: F811
    n = int(re.search(r"工单号 (\d+)", wechat.voice(RIDER, "", content=AMR).text).group(1))
    assert download() == 1
    page.goto(f"{server}/dashboard/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "sandan-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#kpis")
    page.goto(f"{server}/dashboard/queue")
    page.click(f"#queue a:text-is('{n}')")
    page.wait_for_selector(".photos audio")
    played = page.evaluate("""async () => {
        const audio = document.querySelector(".photos audio");
        audio.muted = true;
        await audio.play();
        await new Promise(done => audio.addEventListener('ended', done, {once: true}));
        return {duration: audio.duration, ended: audio.ended, error: audio.error && audio.error.code};
    }""")
    assert played["ended"] and played["error"] is None and 0.9 < played["duration"] < 1.1
