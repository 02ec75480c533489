"""The held-out dev sets, tune and check halves: group lines (files a ticket or not), emergencies (present event
or look-alike) and `sandan triage` fields. The sets were written before the judgements were changed; the check
half is never read while tuning, so its row is the honest one.

Three generations of sets: ``dev`` (group_lines_dev.tsv, emergencies_dev.yaml, triage_dev.yaml), ``blind``
(group_lines_blind.tsv, emergencies_blind.yaml, triage_blind.yaml, written later and scored before the round that
tuned on their tune halves) and ``blind2`` (written after blind's check halves were scored, all check).

Usage:
    .venv/bin/python bench/understanding_dev.py [--sets dev,blind] [--wrong tune] [--no-cost]
"""

from __future__ import annotations

import argparse

from common import ROOT, machine, summary, table, timed

from bot.cli import triage_record
from bot.services import build_services
from nlu.evaluate import score_alarms
from tests.conversation.corpus import BLIND, BLIND2, DEV, read_lines, score
from tests.understanding.dev_sets import (BLIND_BLOCK, EMERGENCIES_BLIND, EMERGENCIES_BLIND2, EMERGENCIES_DEV, HALVES,
                                          TRIAGE_BLIND, TRIAGE_BLIND2, TRIAGE_DEV, emergency_lines, half, score_triage,
                                          triage_lines)

#: Each generation of held-out sets: group lines, emergencies, triage sentences, and the block its halves alternate in.
#: A block of 0 means no tune half: every row is a check row (blind2).
SETS = {"dev": (DEV, EMERGENCIES_DEV, TRIAGE_DEV, 1), "blind": (BLIND, EMERGENCIES_BLIND, TRIAGE_BLIND, BLIND_BLOCK),
        "blind2": (BLIND2, EMERGENCIES_BLIND2, TRIAGE_BLIND2, 0)}


def halves(name: str) -> tuple[str, ...]:
    """The halves a set is scored in: blind2 is all check."""
    return ("check",) if SETS[name][3] == 0 else HALVES


def main(sets: list[str], show_wrong: str | None, cost: bool) -> None:
    services = build_services(ROOT / "config.yaml")
    engine = services.engine
    wrong: list[tuple[str, str, str]] = []

    rows = []
    for name in sets:
        group_path, emergency_path, _, block = SETS[name]
        for h in halves(name):
            result = score(services, half(read_lines(group_path), h, block))
            rows.append([f"group lines, {name} {h}",
                         result.true_pos + result.false_pos + result.false_neg + result.true_neg,
                         f"{result.precision:.3f}", f"{result.recall:.3f}"])
            if show_wrong == h:
                wrong += [(f"group {name}", "filed" if filed else "missed", line.text) for line, filed in result.wrong]
        for h in halves(name):
            lines = half(emergency_lines(emergency_path), h, block)
            alarms = score_alarms(lines, lambda text: engine.parse(text).emergency)
            rows.append([f"emergencies, {name} {h}", len(lines), f"{alarms.precision:.3f}", f"{alarms.recall:.3f}"])
            if show_wrong == h:
                wrong += [(f"emergency {name}", "missed", m) for m in alarms.missed]
                wrong += [(f"emergency {name}", "false alarm", f) for f in alarms.false]
    print(table(["set", "n", "precision", "recall"], rows))
    print()

    rows = []
    for name in sets:
        for h in halves(name):
            result = score_triage(half(triage_lines(SETS[name][2]), h, SETS[name][3]), lambda text: triage_record(services, text))
            fields = [result.field_accuracy(f) for f in ("intent", "category", "handling", "place", "grid",
                                                         "department")]
            rows.append([f"triage, {name} {h}", result.rows, f"{result.right / result.rows:.3f}",
                         *("-" if f is None else f"{f:.3f}" for f in fields)])
            if show_wrong == h:
                wrong += [(f"triage {name}", "wrong", w) for w in result.wrong]
    print(table(["set", "n", "all fields right", "intent", "category", "handling", "place", "grid", "department"],
                rows))
    if wrong:
        print()
        print(table(["set", "verdict", "text"], wrong))
    if cost:
        print()
        print(report_or_talk_cost(services))
    print()
    print(machine())


def report_or_talk_cost(services) -> str:
    """What the report-or-talk model adds to a parse: its own time per message (p50/p99 over the dev lines and a
    500-character letter), and the time it takes to train when the engine is built."""
    import time

    from nlu.report_or_talk import read_group_lines, train, training_lines
    from nlu.training import load_rasa_nlu

    model = services.engine.talk_model
    texts = [line.text for line in read_lines(DEV)] + ["楼道里堆满了杂物，" * 50]
    odds = [ms for text in texts for ms in timed(lambda: model.report_odds(text), 20)]
    parses = [ms for text in texts for ms in timed(lambda: services.engine.parse(text), 5)]
    data_dir = ROOT / "data" / "nlu"
    start = time.perf_counter()
    train(training_lines(load_rasa_nlu(data_dir), read_group_lines(data_dir)), model.place_names)
    training = (time.perf_counter() - start) * 1000
    o, p = summary(odds), summary(parses)
    e, emergency_training = emergency_now_cost(services, texts)
    return table(["what", "p50 ms", "p99 ms"], [
        ["report-or-talk odds (added to each parse)", f"{o['p50']:.3f}", f"{o['p99']:.3f}"],
        ["emergency-now model, veto check and odds (added to each parse)", f"{e['p50']:.3f}", f"{e['p99']:.3f}"],
        ["whole parse, for scale", f"{p['p50']:.3f}", f"{p['p99']:.3f}"],
        ["report-or-talk training at engine build (once per process)", f"{training:.0f}", ""],
        ["emergency-now training at engine build (once per process)", f"{emergency_training:.0f}", ""]])


def emergency_now_cost(services, texts: list[str]) -> tuple[dict[str, float], float]:
    """What the emergency-now model adds to a parse (find_emergency with the model less without it, per message:
    the veto check, and the model's odds where nothing vetoes), and its training time at engine build."""
    import time

    from nlu.emergency_now import train_emergency_model, training_lines
    from nlu.rules import find_emergency
    from nlu.training import load_rasa_nlu

    engine = services.engine
    model = engine.emergency_model
    deployment = engine.deployment
    added = [with_model - without for text in texts
             for with_model, without in zip(timed(lambda: find_emergency(text, deployment, model.kind), 20),
                                            timed(lambda: find_emergency(text, deployment), 20))]
    data_dir = ROOT / "data" / "nlu"
    start = time.perf_counter()
    labelled, others = training_lines(load_rasa_nlu(data_dir), data_dir,
                                      lambda text: find_emergency(text, deployment) is not None)
    train_emergency_model(labelled, others, model.now.place_names)
    return summary([max(0.0, ms) for ms in added]), (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dev,blind,blind2", help="comma-separated: dev, blind, blind2")
    # only the tune halves' misjudgements are ever listed: the check halves stay unread
    parser.add_argument("--wrong", choices=["tune"], default=None)
    parser.add_argument("--no-cost", action="store_true", help="skip the report-or-talk timing table")
    args = parser.parse_args()
    main(args.sets.split(","), args.wrong, not args.no_cost)
