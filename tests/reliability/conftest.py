"""Fixtures for the reliability tests.

The bad-input modules share one app and store per module (``shared_app``): every check there compares
row counts before and after, so tests stay independent while the suite skips building ~60 apps.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from bot.services import Services
from reliability_helpers import Api
from tests.conftest import build_app


@pytest.fixture(scope="module")
def shared_services(base_services: Services, tmp_path_factory) -> Services:
    folder = tmp_path_factory.mktemp("reliability")
    s = base_services.config.settings
    settings = s.model_copy(update={
        "store": s.store.model_copy(update={"path": str(folder / "sandan.db"), "media_dir": str(folder / "media")}),
        "web": s.web.model_copy(update={"api_key": "test-api-key"}),   # the key tests/conftest.py Chat sends
    })
    return dataclasses.replace(base_services, config=base_services.config.model_copy(update={"settings": settings}))


@pytest.fixture(scope="module")
def shared_app(shared_services: Services):
    return build_app(shared_services)


_MSG_ID_BLOCKS = itertools.count(1)


@pytest.fixture
def chat(chat):
    """The shared Chat helper, numbering its message ids apart from every other test's: in a shared store a
    reused id would be (rightly) answered as a WeChat retry."""
    chat.counter = 100_000 * next(_MSG_ID_BLOCKS)
    return chat


@pytest.fixture
def api(client, services) -> Api:
    return Api(client, services.config.settings.web.api_key)
