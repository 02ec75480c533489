"""Channel tests talk to the bot as WeChat does, and the bot talks to the local WeChat stand-in."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
import requests

from bot.services import Services
from bot.worker import deliver_outbox, fetch_media
from standin import Accounts, serve_in_thread
from standin.client import FlaskTransport, WeChatServer, WorkWeChatServer


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG file, small enough to inline."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class Standin:
    """The running stand-in API: what was sent, and faults to inject."""

    def __init__(self, url: str, state: Any) -> None:
        self.url, self.state = url, state

    def sent(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/_standin/sent", timeout=5).json()

    def fault(self, **faults: Any) -> None:
        requests.post(f"{self.url}/_standin/faults", json=faults, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def standin_server(base_services: Services):
    s = base_services.config.settings
    server, state, _ = serve_in_thread(Accounts(s.wechat.app_id, s.wechat.app_secret, s.work_wechat.corp_id,
                                                s.work_wechat.secret))
    yield Standin(f"http://127.0.0.1:{server.server_port}", state)
    server.shutdown()


@pytest.fixture
def standin(standin_server: Standin) -> Standin:
    standin_server.state.reset()
    return standin_server


@pytest.fixture
def services(services: Services, standin_server: Standin) -> Services:
    """The demo deployment pointed at the stand-in, with 企业微信 switched on."""
    s = services.config.settings
    api = f"{standin_server.url}/cgi-bin/"
    settings = s.model_copy(update={
        "wechat": s.wechat.model_copy(update={"api_base_url": api}),
        "work_wechat": s.work_wechat.model_copy(update={"enabled": True, "api_base_url": api}),
    })
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


@pytest.fixture
def wechat(client, services: Services, standin: Standin) -> WeChatServer:
    s = services.config.settings.wechat
    return WeChatServer(FlaskTransport(client), s.token, s.aes_key, s.app_id, standin.url)


@pytest.fixture
def work(client, services: Services, standin: Standin) -> WorkWeChatServer:
    s = services.config.settings.work_wechat
    return WorkWeChatServer(FlaskTransport(client), s.token, s.aes_key, s.corp_id, s.agent_id, standin.url)


@pytest.fixture
def push(services: Services):
    """Run the worker's outbox job once, as the scheduler would; returns how many were delivered."""
    return lambda: deliver_outbox(services)


@pytest.fixture
def download(services: Services):
    return lambda: fetch_media(services)
