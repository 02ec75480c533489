"""The held-out dev sets, tune and check halves: group lines (files a ticket or not), emergencies (present event
or look-alike) and `sandan triage` fields. The sets were written before the judgements were changed; the check
half is never read while tuning, so its row is the honest one.

Usage:
    .venv/bin/python bench/understanding_dev.py [--wrong tune]
"""

from __future__ import annotations

import sys

from common import ROOT, machine, summary, table, timed

from bot.cli import triage_record
from bot.services import build_services
from nlu.evaluate import score_alarms
from tests.conversation.corpus import DEV, read_lines, score
from tests.understanding.dev_sets import HALVES, emergency_lines, half, score_triage, triage_lines


def main(show_wrong: str | None) -> None:
    services = build_services(ROOT / "config.yaml")
    engine = services.engine
    wrong: list[tuple[str, str, str]] = []

    rows = []
    for name in HALVES:
        result = score(services, half(read_lines(DEV), name))
        rows.append([f"group lines, {name}", result.true_pos + result.false_pos + result.false_neg + result.true_neg,
                     f"{result.precision:.3f}", f"{result.recall:.3f}"])
        if show_wrong == name:
            wrong += [("group", "filed" if filed else "missed", line.text) for line, filed in result.wrong]
    for name in HALVES:
        lines = half(emergency_lines(), name)
        alarms = score_alarms(lines, lambda text: engine.parse(text).emergency)
        rows.append([f"emergencies, {name}", len(lines), f"{alarms.precision:.3f}", f"{alarms.recall:.3f}"])
        if show_wrong == name:
            wrong += [("emergency", "missed", m) for m in alarms.missed]
            wrong += [("emergency", "false alarm", f) for f in alarms.false]
    print(table(["set", "n", "precision", "recall"], rows))
    print()

    rows = []
    for name in HALVES:
        result = score_triage(half(triage_lines(), name), lambda text: triage_record(services, text))
        fields = [result.field_accuracy(f) for f in ("intent", "category", "handling", "place", "grid", "department")]
        rows.append([f"triage, {name}", result.rows, f"{result.right / result.rows:.3f}",
                     *("-" if f is None else f"{f:.3f}" for f in fields)])
        if show_wrong == name:
            wrong += [("triage", "wrong", w) for w in result.wrong]
    print(table(["set", "n", "all fields right", "intent", "category", "handling", "place", "grid", "department"],
                rows))
    if wrong:
        print()
        print(table(["set", "verdict", "text"], wrong))
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
    return table(["what", "p50 ms", "p99 ms"], [
        ["report-or-talk odds (added to each parse)", f"{o['p50']:.3f}", f"{o['p99']:.3f}"],
        ["whole parse, for scale", f"{p['p50']:.3f}", f"{p['p99']:.3f}"],
        ["training at engine build (once per process)", f"{training:.0f}", ""]])


if __name__ == "__main__":
    # only the tune half's misjudgements are ever listed: the check half stays unread
    main("tune" if sys.argv[1:3] == ["--wrong", "tune"] else None)
