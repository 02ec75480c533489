"""Training data in and out: Rasa 3.x NLU YAML (the demo's own data) and labelled CSV/XLSX tables.

In the Rasa file an intent named ``report_<category>`` is a report of that category; every other intent is one
of the bot's own (greeting, question, status…). Entity annotations are ``[龙西小区](place)``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPORT_PREFIX = "report_"
_ANNOTATION = re.compile(r"\[(?P<value>[^\]]+)\]\((?P<entity>[^)]+)\)")


class TrainingDataError(Exception):
    """Training data that cannot be used; the message names the file and what to fix."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str                                  # "report" for every report_<category>
    category: str | None = None                  # the category of a report
    entities: tuple[tuple[str, str], ...] = ()   # (entity type, value)

    @property
    def label(self) -> str:
        """The Rasa intent name this example came from."""
        return f"{REPORT_PREFIX}{self.category}" if self.category else self.intent


@dataclass
class NluData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)   # canonical value → other spellings
    lookups: dict[str, list[str]] = field(default_factory=dict)
    fingerprint: str = ""                        # hash of the files, so a saved model knows when it is stale

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    @property
    def categories(self) -> list[str]:
        return sorted({e.category for e in self.examples if e.category})


def strip_annotations(annotated: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """'[龙西小区](place)的路灯' → ('龙西小区的路灯', (('place', '龙西小区'),))."""
    entities = tuple((m.group("entity"), m.group("value")) for m in _ANNOTATION.finditer(annotated))
    return _ANNOTATION.sub(lambda m: m.group("value"), annotated), entities


def _example_lines(block: str | list) -> list[str]:
    lines = block if isinstance(block, list) else str(block).splitlines()
    return [line.strip()[1:].strip() for line in lines if line.strip().startswith("-")]


def load_rasa_nlu(directory: Path) -> NluData:
    """Every *.yml / *.yaml under ``directory`` with an ``nlu:`` section."""
    files = sorted(p for p in Path(directory).glob("*.y*ml") if p.suffix in (".yml", ".yaml"))
    if not files:
        raise TrainingDataError(f"{directory}: no *.yml training files; write data/nlu/nlu.yml in Rasa format")
    data, digest = NluData(), hashlib.sha256()
    for path in files:
        raw_text = path.read_text(encoding="utf-8")
        digest.update(raw_text.encode("utf-8"))
        try:
            raw = yaml.safe_load(raw_text) or {}
        except yaml.YAMLError as e:
            raise TrainingDataError(f"{path}: not valid YAML ({e})")
        for entry in raw.get("nlu") or []:
            if "intent" in entry:
                name = str(entry["intent"])
                intent, category = ("report", name[len(REPORT_PREFIX):]) if name.startswith(REPORT_PREFIX) else (name, None)
                for line in _example_lines(entry.get("examples", "")):
                    text, entities = strip_annotations(line)
                    data.examples.append(Example(text, intent, category, entities))
            elif "synonym" in entry:
                data.synonyms.setdefault(str(entry["synonym"]), []).extend(_example_lines(entry.get("examples", "")))
            elif "lookup" in entry:
                data.lookups.setdefault(str(entry["lookup"]), []).extend(_example_lines(entry.get("examples", "")))
    if not data.examples:
        raise TrainingDataError(f"{directory}: no intent examples found under 'nlu:'")
    data.fingerprint = digest.hexdigest()[:16]
    return data


def load_table(path: Path, text_column: str = "text", label_column: str = "label") -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV (UTF-8, with header) or an XLSX (first sheet, header row)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                rows = list(csv.DictReader(f))
        except UnicodeDecodeError:
            raise TrainingDataError(f"{path}: not UTF-8; save the CSV as UTF-8 (or use an .xlsx file)")
    if not rows:
        raise TrainingDataError(f"{path}: no rows")
    for column in (text_column, label_column):
        if column not in rows[0]:
            raise TrainingDataError(
                f"{path}: no column '{column}'; columns are {', '.join(map(str, rows[0]))} "
                f"(use --text-column / --label-column)")
    texts, labels = [], []
    for row in rows:
        text, label = str(row[text_column] or "").strip(), str(row[label_column] or "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
    if len(set(labels)) < 2:
        raise TrainingDataError(f"{path}: the column '{label_column}' needs at least two different labels")
    return texts, labels


def _xlsx_rows(path: Path) -> list[dict]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [str(h) if h is not None else "" for h in next(values, [])]
    return [dict(zip(header, row)) for row in values]


# ---------------------------------------------------------------- writing Rasa files


def _annotate(example: Example) -> str:
    """Put entity annotations back: the first occurrence of each value, longest value first."""
    text, spans = example.text, []
    for entity, value in sorted(example.entities, key=lambda ev: -len(ev[1])):
        start = text.find(value)
        while start >= 0 and any(s < start + len(value) and start < e for s, e, _ in spans):
            start = text.find(value, start + 1)
        if start >= 0:
            spans.append((start, start + len(value), entity))
    out, last = [], 0
    for start, end, entity in sorted(spans):
        out.append(text[last:start] + f"[{text[start:end]}]({entity})")
        last = end
    return "".join(out) + text[last:]


def rasa_nlu_yaml(data: NluData) -> str:
    """The training data as one Rasa 3.x nlu.yml."""
    by_label: dict[str, list[str]] = {}
    for example in data.examples:
        by_label.setdefault(example.label, []).append(_annotate(example))
    lines = ['version: "3.1"', "", "nlu:"]
    for label, examples in by_label.items():
        lines += [f"- intent: {label}", "  examples: |"] + [f"    - {e}" for e in dict.fromkeys(examples)] + [""]
    for kind, entries in (("synonym", data.synonyms), ("lookup", data.lookups)):
        for name, values in entries.items():
            lines += [f"- {kind}: {name}", "  examples: |"] + [f"    - {v}" for v in values] + [""]
    return "\n".join(lines) + "\n"
