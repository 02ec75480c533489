"""Emergencies are events happening now: every present event in the labelled set raises its alarm, and the
look-alikes (the past, suppositions, risks, stories, pollution, what is over) almost never do."""

from __future__ import annotations

from pathlib import Path

import yaml

from nlu.evaluate import score_alarms

LABELLED = Path(__file__).parent / "data" / "emergencies.yaml"


def labelled_lines() -> list[tuple[str, str | None]]:
    raw = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return [(text, kind) for kind, texts in raw["present"].items() for text in texts] + [
        (text, None) for text in raw["none"]]


def test_the_labelled_set_has_two_hundred_lines_of_every_kind(engine):
    lines = labelled_lines()
    assert len(lines) >= 200
    assert {kind for _, kind in lines} - {None} == {k.name for k in engine.deployment.emergencies.kinds}


def test_every_present_emergency_is_caught_and_few_look_alikes_raise_one(engine):
    score = score_alarms(labelled_lines(), lambda text: engine.parse(text).emergency)
    assert score.missed == []
    assert score.precision >= 0.95, score.false


def test_a_present_emergency_is_an_urgent_report(engine):
    for text, kind in labelled_lines():
        if kind is not None:
            parse = engine.parse(text)
            assert (parse.intent, parse.urgency) == ("report", "紧急"), text
