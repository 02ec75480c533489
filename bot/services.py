"""Build the per-process services once: config, NLU engine, knowledge base."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TypeVar

from sqlite_utils import Database

from bot.conversation import Services
from dispatch.clock import utcnow
from dispatch.store import connect, location as store_location
from nlu.loader import build_engine
from nlu.knowledge import load_knowledge
from settings import Config, load_config

T = TypeVar("T")


def build_services(config_path: str | Path = "config.yaml", overrides: dict[str, Any] | None = None) -> Services:
    config = load_config(config_path, overrides)
    engine = build_engine(config)   # the saved model; trained from data/nlu when absent or stale
    knowledge = load_knowledge(config.path(config.settings.knowledge_file), engine.tokenizer)
    return Services(config, engine, knowledge)


def with_store(services: Services, work: Callable[[Database, Config, datetime], T]) -> T:
    """Run a scheduled job's work on a store connection of its own, with the current time.

    Jobs run on the scheduler's threads, so each opens and closes its connection.
    """
    config = services.config
    db = connect(store_location(config))
    try:
        return work(db, config, utcnow())
    finally:
        db.close()
