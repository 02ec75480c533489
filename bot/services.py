"""The Services container and its builder: config, NLU engine and knowledge base, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TypeVar

from sqlite_utils import Database

from dispatch.clock import utcnow
from dispatch.store import connect, location as store_location
from nlu.engine import Engine
from nlu.knowledge import KnowledgeBase, load_knowledge
from nlu.loader import build_engine
from settings import Config, load_config

T = TypeVar("T")


@dataclass
class Services:
    """What a conversation needs, built once per process (the NLU model is the costly part)."""

    config: Config
    engine: Engine
    knowledge: KnowledgeBase


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
