"""Write a Rasa 3.x project (config.yml, domain.yml, data/nlu.yml, a jieba user dictionary) from our data.

The same examples train both engines, so `bench/` and `sandan nlu eval` compare like with like.
"""

from __future__ import annotations

from pathlib import Path

from nlu.gazetteer import Gazetteer
from nlu.training import NluData, rasa_nlu_yaml

#: DIET with jieba words and character n-grams, as close as Rasa gets to our own features.
CONFIG_YML = """\
# Written by `sandan nlu export-rasa`; Rasa 3.6, NLU only.
recipe: default.v1
assistant_id: sandan
language: zh
pipeline:
  - name: JiebaTokenizer
    dictionary_path: jieba
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 3
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
  - name: EntitySynonymMapper
policies: []
"""


def domain_yaml(data: NluData) -> str:
    intents = sorted({e.label for e in data.examples})
    entities = sorted({kind for e in data.examples for kind, _ in e.entities})
    lines = ['version: "3.1"', "", "intents:"] + [f"  - {i}" for i in intents] + ["", "entities:"]
    lines += [f"  - {e}" for e in entities]
    return "\n".join(lines) + "\n"


def user_dictionary(data: NluData, gazetteer: Gazetteer) -> str:
    """jieba's user-dictionary lines (word, frequency, part of speech) for the deployment's names and every
    annotated entity value: a high frequency keeps each whole, so an entity span ends on a token boundary
    (without 「2单元」 jieba cuts 「2/单元楼/道」 and Rasa drops the entity as misaligned)."""
    values = [value for e in data.examples for _, value in e.entities]
    return "".join(f"{w} 200000 n\n" for w in dict.fromkeys([*gazetteer.words(), *values]) if " " not in w)


def export_rasa(data: NluData, gazetteer: Gazetteer, directory: Path, epochs: int = 100) -> list[Path]:
    """Write the project; returns the files written. Existing files of the same names are replaced."""
    directory = Path(directory)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    (directory / "jieba").mkdir(parents=True, exist_ok=True)
    files = {
        directory / "config.yml": CONFIG_YML.format(epochs=epochs),
        directory / "domain.yml": domain_yaml(data),
        directory / "data" / "nlu.yml": rasa_nlu_yaml(data),
        directory / "jieba" / "userdict.txt": user_dictionary(data, gazetteer),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
