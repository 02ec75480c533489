"""The plain-Python inference (n-gram counts, TF-IDF, the linear SVM's margins, Platt's sigmoid) gives what
scikit-learn's own predict, decision_function and predict_proba give on the same fitted model: through the
integer n-gram index, and through the string fallback when the n-grams are too long for one (long-grams)."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.model import ModelOptions, TextModel
from nlu.training import load_rasa_nlu
from tests.understanding.conftest import ROOT

UNSEEN = ["广场花苑小区3栋的垃圾桶坏了", "楼上装修太吵了，能不能管一管", "老年卡在哪里办？", "你好", "接单 12",
          "路灯坏了" * 200,                                  # longer than the cap: both read the same first part
          "There is a gas leak", "", "🙂🙂", "楼道  灯\t\n坏了 ÀÉ Straße", "𠀀𠀁 路灯"]


@pytest.fixture(scope="module")
def data():
    return load_rasa_nlu(ROOT / "data" / "nlu")


@pytest.mark.parametrize("options", [
    ModelOptions(calibrate=True),
    ModelOptions(calibrate=False, head=40, head_words=True, min_df=1),
    ModelOptions(calibrate=True, words=False, char_range=(2, 4), balanced=False),
    ModelOptions(calibrate=False, max_chars=30, word_chars=8),
    ModelOptions(calibrate=False, words=False, char_range=(6, 8)),
], ids=["shipped", "head-blocks", "chars-only", "short-caps", "long-grams"])
def test_plain_python_inference_matches_scikit_learn(engine, data, options):
    model = TextModel(options).bind(engine.tokenizer.content_tokens).fit(
        [e.text for e in data.examples], [e.intent for e in data.examples])
    texts = UNSEEN + [e.text for e in data.examples[::7]]
    texts += [a + "，" + b for a, b in zip(texts[10:], texts[11:])]     # longer, and words the data has
    labels, margins, probabilities = model.sklearn_predict(texts)
    assert model.predict(texts) == labels
    assert np.allclose(np.vstack([model.decision(t) for t in texts]), margins, atol=1e-4)
    if probabilities is not None:
        assert np.allclose(model.predict_proba(texts), probabilities, atol=1e-4)


def test_long_n_grams_fall_back_to_strings(engine, data):
    model = TextModel(ModelOptions(calibrate=False, words=False, char_range=(6, 8))).bind(
        engine.tokenizer.content_tokens).fit([e.text for e in data.examples], [e.intent for e in data.examples])
    assert [b.index for b in model._blocks] == [None]
