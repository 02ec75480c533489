"""Fixtures for the reliability tests."""

from __future__ import annotations

import pytest

from reliability_helpers import Api


@pytest.fixture
def api(client, services) -> Api:
    return Api(client, services.config.settings.web.api_key)
