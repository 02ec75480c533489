"""`sandan nlu …`: train, try, evaluate and export the NLU model. A thin wrapper over nlu/."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

import wording
from settings import Config, ConfigError, load_config


def _config(config_path: str) -> Config:
    try:
        return load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(str(e))


def _training_data(config: Config):
    from nlu.training import TrainingDataError, load_rasa_nlu

    try:
        return load_rasa_nlu(config.path(config.settings.nlu_data_dir))
    except TrainingDataError as e:
        raise click.ClickException(str(e))


def _table(path: str, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    from nlu.training import TrainingDataError, load_table

    try:
        return load_table(Path(path), text_column, label_column)
    except TrainingDataError as e:
        raise click.ClickException(str(e))


def _builtin_engine(config: Config, data=None):
    from nlu.engine import Engine
    from nlu.loader import synonym_words

    return Engine(config.deployment, extra_words=synonym_words(data) if data else None)


config_option = click.option("--config", "config_path", default="config.yaml", show_default=True,
                             type=click.Path(dir_okay=False), help="The deployment's config.yaml.")
table_options = [
    click.option("--csv", "table", type=click.Path(exists=True, dir_okay=False),
                 help="A labelled table of past messages (.csv UTF-8 or .xlsx) instead of data/nlu."),
    click.option("--text-column", default="text", show_default=True, help="The column with the message."),
    click.option("--label-column", default="label", show_default=True, help="The column with the category."),
]


def with_table_options(fn):
    for option in reversed(table_options):
        fn = option(fn)
    return fn


@click.group(name="nlu")
def nlu_group() -> None:
    """The NLU model: train it, try it, evaluate it, export it to Rasa."""


@nlu_group.command()
@config_option
@with_table_options
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="Where to save the model (default: nlu.model_path, the one the bot loads).")
def train(config_path: str, table: str | None, text_column: str, label_column: str, out: str | None) -> None:
    """Train the model and save it to nlu.model_path (or --out).

    Without --csv it learns intents and categories from the Rasa-format data in data/nlu. With --csv the
    categories (the taxonomy) come from the table's labels, e.g. a deployment's historical tickets.

    \b
    Example:
        sandan nlu train
        sandan nlu train --csv tickets.csv --text-column text --label-column label
        sandan nlu train --csv train.csv --out /tmp/model.pkl
    """
    from nlu.bundle import save_model, train_category_from_table, train_from_data

    config = _config(config_path)
    data = _training_data(config)
    engine = _builtin_engine(config, data)
    start = time.perf_counter()
    model = train_from_data(data, engine.tokenizer.content_tokens)
    source, count, labels = "nlu-data", len(data.examples), len(model.intent.labels)
    if table:
        texts, categories = _table(table, text_column, label_column)
        with click.progressbar(length=1, label=wording.nlu_training(len(texts))) as bar:
            model.category = train_category_from_table(texts, categories, engine.tokenizer.content_tokens)
            bar.update(1)
        model.category_source = source = Path(table).name
        count, labels = len(texts), len(model.category.labels)
    path = Path(out) if out else config.path(config.settings.nlu.model_path)
    size = save_model(model, path)
    click.echo(wording.nlu_trained(source, count, labels, time.perf_counter() - start, str(path), size))


@nlu_group.command()
@config_option
@click.argument("text")
def parse(config_path: str, text: str) -> None:
    """Show how the bot understands one message, as JSON (phone numbers masked).

    \b
    Example:
        sandan nlu parse "广场花苑小区3栋的垃圾桶坏了"
    """
    from nlu.entities import mask_phone
    from nlu.loader import build_engine

    config = _config(config_path)
    engine = build_engine(config)
    result: dict[str, Any] = engine.parse(text).as_dict()
    if result["entities"].get("phone"):
        result["entities"]["phone"] = mask_phone(result["entities"]["phone"])
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@nlu_group.command(name="eval")
@config_option
@with_table_options
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20), help="Cross-validation folds.")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False),
              help="A model saved by `sandan nlu train`: score it on the --csv table (held out) instead of "
                   "cross-validating.")
def eval_command(config_path: str, table: str | None, text_column: str, label_column: str, folds: int,
                 model_path: str | None) -> None:
    """Cross-validate, or score a trained model on a held-out table: per-label precision/recall/F1, the
    confusion matrix and macro-F1.

    Without --csv the labels are the Rasa intents of data/nlu (report_<category> for reports). With --model the
    table is scored by the model's category classifier, which never saw it.

    \b
    Example:
        sandan nlu eval
        sandan nlu eval --csv tickets.csv --folds 5
        sandan nlu eval --model /tmp/model.pkl --csv test.csv --text-column text --label-column label
    """
    from tqdm import tqdm

    from nlu.bundle import SMALL_DATA, TABLE_DATA
    from nlu.evaluate import cross_validate, format_report, held_out

    config = _config(config_path)
    if model_path:
        if not table:
            raise click.ClickException("--model needs --csv: the held-out table to score it on")
        texts, labels = _table(table, text_column, label_column)
        click.echo(format_report(held_out(_saved_model(model_path), texts, labels,
                                          _builtin_engine(config).tokenizer.content_tokens)))
        return
    data = None if table else _training_data(config)
    if table:
        texts, labels = _table(table, text_column, label_column)
    else:
        texts, labels = [e.text for e in data.examples], [e.label for e in data.examples]
    engine = _builtin_engine(config, data)
    # The options `train` would use; calibration is left out as it never changes which label wins.
    options = replace(TABLE_DATA if table else SMALL_DATA, calibrate=False)
    evaluation = cross_validate(texts, labels, engine.tokenizer.content_tokens, folds, options,
                                progress=lambda splits: tqdm(splits, desc="folds", unit="fold"))
    click.echo(format_report(evaluation))


def _saved_model(path: str):
    from nlu.bundle import load_model

    model = load_model(Path(path))
    if model is None or model.category is None:
        raise click.ClickException(f"{path}: not a model saved by `sandan nlu train` of this version; train it again")
    return model


@nlu_group.command(name="export-rasa")
@config_option
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--epochs", default=100, show_default=True, type=click.IntRange(1, 1000), help="DIET epochs.")
def export_rasa_command(config_path: str, directory: str, epochs: int) -> None:
    """Write a Rasa 3.x project (config.yml with JiebaTokenizer, domain.yml, data/nlu.yml) from data/nlu.

    \b
    Example:
        sandan nlu export-rasa var/rasa && cd var/rasa && rasa train nlu
    """
    from nlu.gazetteer import build_gazetteer
    from nlu.rasa_export import export_rasa

    config = _config(config_path)
    files = export_rasa(_training_data(config), build_gazetteer(config.deployment), Path(directory), epochs)
    for path in files:
        click.echo(str(path))
