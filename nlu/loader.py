"""Build the engine a deployment configured: the saved model (trained on the fly when absent or stale),
wrapped in the Rasa backend when ``nlu.backend: rasa``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from nlu.bundle import NluModel, load_model, save_model, train_from_data
from nlu.engine import Engine
from nlu.knowledge import load_knowledge
from nlu.emergency_now import emergency_model
from nlu.report_or_talk import talk_model
from nlu.rules import find_emergency
from nlu.training import NluData, TrainingDataError, load_rasa_nlu
from settings import Config

log = logging.getLogger(__name__)


def synonym_words(data: NluData) -> list[str]:
    """Words from the training data's synonyms and lookups, kept whole by jieba."""
    return sorted({w for values in (*data.synonyms.values(), *data.lookups.values()) for w in values}
                  | set(data.synonyms))


def cache_dir() -> Path:
    """Where a model trained on the fly is kept between starts: the user's cache, never the checkout."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sandan"


def fresh_model(config: Config, data: NluData, engine: Engine, save: bool = True) -> NluModel:
    """The model saved at nlu.model_path (by `sandan nlu train`) if it learned from this very data; else one
    trained on the fly from it, kept in the user's cache (keyed by the data's fingerprint) for the next start.

    Nothing is written into the checkout: `sandan triage` and the tests leave the tree as they found it.
    """
    saved = load_model(config.path(config.settings.nlu.model_path))
    if saved is not None and saved.fingerprint == data.fingerprint:
        return saved
    cached_path = cache_dir() / f"nlu-model-{data.fingerprint}.pkl"
    trained = load_model(cached_path)
    if trained is None or trained.fingerprint != data.fingerprint:
        trained = train_from_data(data, engine.tokenizer.content_tokens)
        if save:
            try:
                save_model(trained, cached_path)
            except OSError as e:   # a read-only home still starts; it just trains at every start
                log.warning("cannot keep the NLU model in %s: %s", cached_path, e)
    if saved is not None and saved.category_source != "nlu-data":
        trained.category, trained.category_source = saved.category, saved.category_source
    return trained


def build_engine(config: Config, save: bool = True):
    """The engine for a config: builtin, or Rasa with the builtin as its fallback."""
    data_dir: Path = config.path(config.settings.nlu_data_dir)
    try:
        data = load_rasa_nlu(data_dir)
    except TrainingDataError as e:
        log.warning("%s; the keyword rules decide alone", e)
        engine = Engine(config.deployment)
    else:
        engine = Engine(config.deployment, extra_words=synonym_words(data))
        engine.use_model(fresh_model(config, data, engine, save))
        engine.use_talk_model(talk_model(data, data_dir, tuple(p.surface for p in engine.gazetteer.places),
                                         cache_dir() if save else None))
        engine.use_emergency_model(emergency_model(
            data, data_dir, tuple(p.surface for p in engine.gazetteer.places),
            lambda text: find_emergency(text, config.deployment) is not None))
    knowledge_file = config.path(config.settings.knowledge_file)
    if knowledge_file.exists():
        engine.use_knowledge(load_knowledge(knowledge_file, engine.tokenizer))
    nlu = config.settings.nlu
    if nlu.backend == "rasa":
        from nlu.rasa import RasaEngine

        return RasaEngine(engine, nlu.rasa_url, nlu.rasa_token, nlu.rasa_timeout_seconds, nlu.rasa_retry_seconds)
    return engine
