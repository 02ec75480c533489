"""The Rasa export trains without "misaligned entity" warnings: with the exported jieba dictionary, every
annotated entity starts and ends on a token boundary, as Rasa's JiebaTokenizer will cut it."""

from __future__ import annotations

from pathlib import Path

import jieba
import yaml

from nlu.training import strip_annotations
from tests.understanding.test_cli import run


def test_every_exported_entity_ends_on_a_jieba_token_boundary(tmp_path: Path, config_copy: Path):
    assert run("nlu", "export-rasa", "--config", str(config_copy), str(tmp_path / "rasa")).exit_code == 0
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(tmp_path / "rasa" / "jieba" / "userdict.txt"))
    nlu = yaml.safe_load((tmp_path / "rasa" / "data" / "nlu.yml").read_text(encoding="utf-8"))
    misaligned, checked = [], 0
    for block in nlu["nlu"]:
        for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
            text, entities = strip_annotations(line.removeprefix("- ").strip())
            bounds, at = {0}, 0
            for word in tokenizer.cut(text):
                at += len(word)
                bounds.add(at)
            for kind, value in entities:
                start = text.find(value)
                checked += 1
                if start not in bounds or start + len(value) not in bounds:
                    misaligned.append((kind, value, "/".join(tokenizer.cut(text))))
    assert checked > 400 and misaligned == []
