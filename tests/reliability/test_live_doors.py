"""The doors as deployed: `sandan serve` in its own process, with the shipped config.yaml."""

from __future__ import annotations

import re

import pytest

from reliability_helpers import Server, Wire, config_file, free_port, poll_until
from settings import load_config
from standin.client import WeChatServer


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live-doors")
    server = Server(config_file(folder), free_port(), folder / "serve.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_the_demo_chat_is_off_in_a_plain_serve(served: Server):
    assert served.request("GET", "/chat")[0] == 404
    assert "demo_chat is on" not in served.log.read_text(encoding="utf-8")


def test_a_wechat_callbacks_signed_query_is_never_written_to_the_log(served: Server):
    s = load_config(served.config).settings.wechat
    wechat = WeChatServer(Wire(served.port), s.token, s.aes_key, s.app_id)
    assert wechat.text("oLogCheck0000000000000000001", "帮助").status == 200
    params, _ = wechat.last
    log = poll_until(lambda: (text := served.log.read_text(encoding="utf-8")) and re.search(
        r"POST /wechat\S* HTTP", text) and text, 10, "the access log line")   # the request is logged (just after
    #                                                                     the answer, under gunicorn)…
    assert params["signature"] not in log and params["msg_signature"] not in log and "nonce=" not in log
