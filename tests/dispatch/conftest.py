"""Helpers for the dispatch tests: ticket numbers from replies, event lists, configs with other limits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.services import Services


def ticket_number(reply: str) -> int:
    m = re.search(r"工单号 (\d+)", reply)
    assert m, reply
    return int(m.group(1))


def events(db, ticket_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def with_dispatch(services: Services, categories: dict[str, dict[str, Any]] | None = None,
                  **dispatch: Any) -> Services:
    """The same services with some dispatch settings or category fields changed."""
    config = services.config
    settings = config.settings.model_copy(update={
        "dispatch": config.settings.dispatch.model_copy(update=dispatch)})
    deployment = config.deployment
    if categories:
        deployment = deployment.model_copy(update={"categories": [
            c.model_copy(update=categories.get(c.name, {})) for c in deployment.categories]})
    config = config.model_copy(update={"settings": settings, "deployment": deployment})
    return Services(config, services.engine, services.knowledge)


@pytest.fixture
def tell():
    """Say something and return the ticket number from the reply."""
    return lambda chat, sender, text, **kw: ticket_number(chat.say(sender, text, **kw))
