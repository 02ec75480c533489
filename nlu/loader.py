"""Build the engine a deployment configured: the saved model (trained on the fly when absent or stale),
wrapped in the Rasa backend when ``nlu.backend: rasa``."""

from __future__ import annotations

import logging
from pathlib import Path

from nlu.bundle import NluModel, load_model, save_model, train_from_data
from nlu.engine import Engine
from nlu.knowledge import load_knowledge
from nlu.training import NluData, TrainingDataError, load_rasa_nlu
from settings import Config

log = logging.getLogger(__name__)


def synonym_words(data: NluData) -> list[str]:
    """Words from the training data's synonyms and lookups, kept whole by jieba."""
    return sorted({w for values in (*data.synonyms.values(), *data.lookups.values()) for w in values}
                  | set(data.synonyms))


def fresh_model(config: Config, data: NluData, engine: Engine, save: bool = True) -> NluModel:
    """The saved model if it learned from this very data, else a new one (saved for the next start)."""
    path = config.path(config.settings.nlu.model_path)
    model = load_model(path)
    if model is not None and model.fingerprint == data.fingerprint:
        return model
    trained = train_from_data(data, engine.tokenizer.content_tokens)
    if model is not None and model.category_source != "nlu-data":
        trained.category, trained.category_source = model.category, model.category_source
    if save:
        try:
            save_model(trained, path)
        except OSError as e:   # a read-only install still starts; it just trains at every start
            log.warning("cannot save the NLU model to %s: %s", path, e)
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
    knowledge_file = config.path(config.settings.knowledge_file)
    if knowledge_file.exists():
        engine.use_knowledge(load_knowledge(knowledge_file, engine.tokenizer))
    nlu = config.settings.nlu
    if nlu.backend == "rasa":
        from nlu.rasa import RasaEngine

        return RasaEngine(engine, nlu.rasa_url, nlu.rasa_token, nlu.rasa_timeout_seconds, nlu.rasa_retry_seconds)
    return engine
