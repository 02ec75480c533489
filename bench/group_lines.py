"""Group policy bench: how well "this group line files a ticket" matches the labelled lines.

Prints a Markdown table for BENCHMARKS.md: the settled lines (the judgement was written against them) and the
fresh lines written afterwards (out-of-sample), with the misjudged lines under it.

Usage:
    .venv/bin/python bench/group_lines.py
"""

from __future__ import annotations

from common import ROOT, machine, table

from bot.services import build_services
from tests.conversation.corpus import FRESH, SETTLED, UNSEEN, read_lines, score


def main() -> None:
    services = build_services(ROOT / "config.yaml")
    rows, wrong = [], []
    for name, paths in (("settled (in-sample)", SETTLED), ("fresh (out-of-sample)", (FRESH,)),
                        ("unseen (out-of-sample)", (UNSEEN,))):
        lines = read_lines(*paths)
        result = score(services, lines)
        rows.append([name, len(lines), result.true_pos, result.false_pos, result.false_neg, result.true_neg,
                     f"{result.precision:.3f}", f"{result.recall:.3f}"])
        wrong += [(name, "filed" if filed else "missed", line.text) for line, filed in result.wrong]
    print(table(["lines", "n", "filed, right", "filed, wrong", "missed", "quiet, right", "precision", "recall"],
                rows))
    if wrong:
        print()
        print(table(["lines", "verdict", "text"], wrong))
    print()
    print(machine())


if __name__ == "__main__":
    main()
