"""Build the per-process services once: config, NLU engine, knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.conversation import Services
from nlu.loader import build_engine
from nlu.knowledge import load_knowledge
from settings import load_config


def build_services(config_path: str | Path = "config.yaml", overrides: dict[str, Any] | None = None) -> Services:
    config = load_config(config_path, overrides)
    engine = build_engine(config)   # the saved model; trained from data/nlu when absent or stale
    knowledge = load_knowledge(config.path(config.settings.knowledge_file), engine.tokenizer)
    return Services(config, engine, knowledge)
