"""WeChat's access token on a shared store: many processes, one fetch at a time, a fresh token never thrown away.

Each client here is what one web process or worker holds (its own store connection, its own lock); they
run on real threads, started together, against the WeChat stand-in, which counts the tokens it issues.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.clients import OfficialAccountClient
from settings import WeChatSettings
from standin import Accounts, serve_in_thread

CLIENTS = 12
APP_ID, APP_SECRET = "wx-token-race", "secret-token-race"


@pytest.fixture(scope="module")
def standin():
    server, state, _ = serve_in_thread(Accounts(APP_ID, APP_SECRET))
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()


def _send_from_every_client(store: str, api: str, text: str) -> list[dict]:
    """Each client sends one customer-service message, all starting at the same moment."""
    settings = WeChatSettings(app_id=APP_ID, app_secret=APP_SECRET, api_base_url=api)
    clients = [OfficialAccountClient(settings, store) for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def send(n: int) -> dict:
        client = clients[n]
        start.wait()
        return client.call(lambda: client.message.send_text(f"openid-{n}", text))

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(send, range(CLIENTS)))


def test_processes_starting_together_fetch_one_token(store: str, standin):
    url, state = standin
    state.reset()
    answers = _send_from_every_client(store, f"{url}/cgi-bin/", "第一条")
    assert [a["errcode"] for a in answers] == [0] * CLIENTS
    assert state.tokens_issued == 1
    assert sorted(m["touser"] for m in state.sent) == sorted(f"openid-{n}" for n in range(CLIENTS))


def test_when_the_token_expires_under_everyone_one_process_fetches_the_next(store: str, standin):
    url, state = standin
    state.reset()
    _send_from_every_client(store, f"{url}/cgi-bin/", "第一条")
    with state.lock:
        state.tokens = {t: 0.0 for t in state.tokens}     # WeChat expires the token: every client gets 42001
    answers = _send_from_every_client(store, f"{url}/cgi-bin/", "第二条")
    assert [a["errcode"] for a in answers] == [0] * CLIENTS
    assert state.tokens_issued == 2                      # the fresh token was shared, not clobbered and refetched
    assert sum(m["text"] == "第二条" for m in state.sent) == CLIENTS
