"""NLU benchmark: accuracy on real citizen messages, and the speed the bot needs.

Prints Markdown tables:
1. teddy2020 (7,368 labelled petition messages, 7 classes), stratified k-fold macro-F1: the TF-IDF char(1-3)
   + LinearSVC baseline beside our model on the same folds, with McNemar's test (bench/nlu_models.py compares
   more configurations).
2. Our model trained on all 7k rows, as `sandan nlu train --csv` does: training time, file size, load time,
   per-message p50/p99.
3. Emergencies and places: the labelled sets under tests/understanding/, each beside a plain baseline.
4. The demo engine (rules + model, entities, commands): parse p50/p99, training from data/nlu, cold start of
   the whole app (a fresh process building the services).
5. Parse time by message length (50, 200, 500, 4,000 characters), wall and CPU, with the load average, and each
   message's best of five passes (the nearest a loaded machine gets to a quiet core).

Usage:
    .venv/bin/python bench/nlu_bench.py [--dataset ../shared/datasets/teddy2020/train.csv] [--folds 5] [--skip-cv]
        [--parse-only]

The dataset is read from where it lies and never copied; without it the teddy2020 part is skipped.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import RESULTS, ROOT, machine, summary, table, timed

DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "teddy2020" / "train.csv"
DEMO_MESSAGES = [
    "广场花苑小区3栋的垃圾桶坏了", "龙西小区12栋门口的窨井盖破损了", "龙西幼儿园后面的下水道堵塞了",
    "濂溪路实验小学对面的路灯不亮了", "楼道里有人给电动车充电", "金桂园小区的树枝都长到我家窗户上了",
    "平东小区5号楼旁边堆了好多垃圾", "老年出行卡怎么办？", "你好", "接单 12", "我的积分", "排行榜",
    "翠湖小区4栋楼上天天半夜很吵，噪音扰民，已经好几个月了，跟他们说了也没用，麻烦社区来调解一下，电话13812345678",
]


def load_teddy(path: Path) -> tuple[list[str], list[str]]:
    """The text column is title + '。' + detail, as a deployment's export would be: one text, one label."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def teddy_cv(path: Path, folds: int) -> None:
    """The baseline beside the model as shipped on the same folds, with the paired test (bench/nlu_models.py)."""
    from nlu_models import run

    texts, labels = load_teddy(path)
    print(f"\n## teddy2020: {len(texts):,} messages, {len(set(labels))} classes, {folds}-fold stratified CV\n")
    run(texts, labels, folds, [], with_shipped=True)


def teddy_trained(path: Path):
    """Our category model trained on all rows as `sandan nlu train --csv` does: time, size, load, per-message cost."""
    from nlu.bundle import NluModel, save_model, train_category_from_table
    from nlu.model import TextModel
    from nlu.tokenizer import Tokenizer

    texts, labels = load_teddy(path)
    cut = Tokenizer().content_tokens
    print("\n## Our model on all rows (as `sandan nlu train --csv`, calibrated)\n")
    start = time.perf_counter()
    model = train_category_from_table(texts, labels, cut)
    train_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        intent_only = Path(tmp) / "intent.pkl"
        both = Path(tmp) / "model.pkl"
        intent = TextModel().bind(cut).fit(["你好", "路灯坏了"], ["chitchat", "report"])
        save_model(NluModel(intent, None, "", "teddy", time.time()), intent_only)
        size = save_model(NluModel(intent, model, "", "teddy", time.time()), both) - intent_only.stat().st_size
        start = time.perf_counter()
        pickle.loads(both.read_bytes())
        load_seconds = time.perf_counter() - start
    sample = texts[:2000]
    for t in sample[:50]:
        model.proba(t)
    ms = summary([m for t in sample for m in timed(lambda t=t: model.proba(t), 1)])
    print(table(["training (s)", "features", "size (MB)", "load (s)", "p50 ms/message", "p99 ms/message"],
                [(train_seconds, model.n_features, size / 2 ** 20, load_seconds, ms["p50"], ms["p99"])]))
    print("\n(The category model alone, jieba included, over the first 2,000 petitions: median length 58 characters, "
          "the longest over 4,000, read up to the model's cap. Size: the saved file less one without it.)")
    return model


def demo() -> None:
    from nlu.bundle import train_from_data
    from nlu.loader import build_engine
    from nlu.training import load_rasa_nlu
    from settings import load_config

    print("\n## Demo engine (rules + model + entities + commands)\n")
    config = load_config(ROOT / "config.yaml")
    engine = build_engine(config, save=False)
    data = load_rasa_nlu(config.path(config.settings.nlu_data_dir))
    start = time.perf_counter()
    train_from_data(data, engine.tokenizer.content_tokens)
    train_seconds = time.perf_counter() - start
    for text in DEMO_MESSAGES:
        engine.parse(text)
    ms = summary([m for _ in range(100) for text in DEMO_MESSAGES for m in timed(lambda t=text: engine.parse(t), 1)])
    cold = []
    code = "import sys; sys.path.insert(0, %r); from bot.services import build_services; build_services(%r)" % (
        str(ROOT), str(ROOT / "config.yaml"))
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        cold.append(time.perf_counter() - start)
    print(table(["examples", "training (s)", "parse p50 ms", "parse p99 ms", "cold start (s), best of 3"],
                [(len(data.examples), train_seconds, ms["p50"], ms["p99"], min(cold))]))


def _labelled(path: Path) -> list[tuple[str, str | None]]:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(t, kind) for kind, texts in raw["present"].items() for t in texts] + [(t, None) for t in raw["none"]]


def emergencies() -> None:
    """The labelled emergency sets: the engine beside a words-only baseline (any kind's word anywhere)."""
    import re

    from nlu.evaluate import score_alarms
    from nlu.loader import build_engine
    from nlu.script import simplified
    from settings import load_config

    engine = build_engine(load_config(ROOT / "config.yaml"), save=False)
    kinds = engine.deployment.emergencies.kinds

    def words_only(text: str) -> str | None:
        return next((k.name for k in kinds if any(re.search(w, simplified(text)) for w in k.words)), None)

    print("\n## Emergencies: present events vs look-alikes (tests/understanding/data/)\n")
    rows = []
    for name in ("emergencies.yaml", "emergencies_fresh.yaml"):
        lines = _labelled(ROOT / "tests" / "understanding" / "data" / name)
        for who, judge in (("words only (baseline)", words_only), ("engine", lambda t: engine.parse(t).emergency)):
            score = score_alarms(lines, judge)
            rows.append((name, who, len(lines), score.present, f"{score.recall:.3f}", f"{score.precision:.3f}"))
    print(table(["set", "judge", "lines", "present", "recall", "precision"], rows))


def places() -> None:
    """Invented 小区 names and every listed name in report templates: how many reach a grid unasked."""
    sys.path.insert(0, str(ROOT))
    from dispatch.routing import route
    from nlu.loader import build_engine
    from settings import load_config
    from tests.understanding.test_places import TEMPLATES, _listed, invented_names

    engine = build_engine(load_config(ROOT / "config.yaml"), save=False)
    deployment = engine.deployment
    listed = _listed(deployment)
    surfaces = sorted(listed, key=len, reverse=True)

    def substring(text: str) -> str | None:     # the old rule: the first listed name or alias inside the words
        return next((listed[s] for s in surfaces if s in text), None)

    invented = [t.format(p=n) for n in invented_names(deployment) for t in TEMPLATES]
    real = [(t.format(p=s), name) for s, name in listed.items() for t in TEMPLATES]
    ours = sum(route(engine.parse(t), deployment, 0.45).grid_id is not None for t in invented)
    print("\n## Places: invented names never reach a grid unasked; listed ones route\n")
    print(table(["judge", "invented sentences", "routed to a grid", "listed sentences", "place read right"], [
        ("substring match (baseline)", len(invented), sum(substring(t) is not None for t in invented),
         len(real), sum(substring(t) == name for t, name in real)),
        ("engine", len(invented), ours, len(real), sum(engine.parse(t).entities.place == name for t, name in real)),
    ]))


def messages_of_length(length: int, texts: list[str], count: int = 200) -> list[str]:
    """``count`` different messages of exactly ``length`` characters: petitions joined one after another and cut
    (different texts, so no cache helps), or the demo messages when the dataset is absent."""
    source = texts or DEMO_MESSAGES
    out, i = [], 0
    while len(out) < count:
        parts = [f"{len(out)}号"]
        while sum(map(len, parts)) < length:
            parts.append(source[i % len(source)])
            i += 1
        out.append("。".join(parts)[:length])
    return out


#: Passes over the same messages (each pass's copy differs in its last character, so no cache helps): a message's
#: best pass is the time it takes when no other process takes its core, the nearest a loaded machine gets to a
#: quiet one.
PASSES = 5


def parse_by_length(path: Path, category=None) -> None:
    """Parse p50/p99 (wall and CPU time) for messages of 50, 200, 500 and 4,000 characters: the demo engine as
    shipped, and the same engine with the teddy2020 category model a deployment would train from its tickets.
    Each message is parsed in ``PASSES`` passes; the first pass gives wall and CPU time as they came, every
    message's best pass the CPU time without interruptions."""
    import os

    from nlu.loader import build_engine
    from settings import load_config

    texts = load_teddy(path)[0] if path.exists() else []
    engines = [("demo engine", build_engine(load_config(ROOT / "config.yaml"), save=False))]
    if category is not None:
        with_tickets = build_engine(load_config(ROOT / "config.yaml"), save=False)
        with_tickets.model.category = category.bind(with_tickets.model.intent._words.cut)
        engines.append(("demo engine + teddy2020 category model", with_tickets))
    print(f"\n## Parse time by message length (different messages each, no cache hit; {PASSES} passes)\n")
    rows = []
    load_before = os.getloadavg()[0]
    for name, engine in engines:
        for length in (50, 200, 500, 4000):
            messages = messages_of_length(length, texts)
            for m in messages[:20]:
                engine.parse(m + "热身")
            wall, cpu = [], [[] for _ in messages]
            for k in range(PASSES):
                for i, m in enumerate(messages):
                    m = m[:-1] + str(k)
                    start, start_cpu = time.perf_counter(), time.process_time()
                    engine.parse(m)
                    cpu[i].append((time.process_time() - start_cpu) * 1000)
                    if k == 0:
                        wall.append((time.perf_counter() - start) * 1000)
            w, c, best = summary(wall), summary([t[0] for t in cpu]), summary([min(t) for t in cpu])
            rows.append((name, length, len(messages), w["p50"], w["p99"], c["p50"], c["p99"], best["p50"],
                         best["p99"]))
    print(table(["engine", "characters", "messages", "wall p50 ms", "wall p99 ms", "CPU p50 ms", "CPU p99 ms",
                 f"best-of-{PASSES} CPU p50 ms", f"best-of-{PASSES} CPU p99 ms"], rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n(load average {load_before:.1f} before, {load} after, on {os.cpu_count()} cores: wall time includes "
          f"waiting for a core; CPU time is this process's own, and still slowed by the other processes' use of "
          f"the caches; best-of-{PASSES} is each message's fastest pass.)")


def rasa_server() -> None:
    """If a Rasa server answers at nlu.rasa_url (scripts/rasa-server.sh), time it on the same messages."""
    from nlu.loader import build_engine
    from nlu.rasa import RasaEngine, RasaUnavailable
    from settings import load_config

    config = load_config(ROOT / "config.yaml")
    nlu = config.settings.nlu
    builtin = build_engine(config.model_copy(update={"settings": config.settings.model_copy(
        update={"nlu": nlu.model_copy(update={"backend": "builtin"})})}), save=False)
    rasa = RasaEngine(builtin, nlu.rasa_url, nlu.rasa_token, timeout=10)
    try:
        rasa.call("你好")
    except RasaUnavailable:
        print(f"\n(Rasa skipped: no server at {nlu.rasa_url}; start one with scripts/rasa-server.sh)")
        return
    free_text = [t for t in DEMO_MESSAGES if t not in ("接单 12",)]
    ms = summary([m for _ in range(10) for t in free_text for m in timed(lambda t=t: rasa.call(t), 1)])
    agree = sum(rasa.parse(t).intent == builtin.parse(t).intent and rasa.parse(t).category == builtin.parse(t).category
                for t in free_text)
    print("\n## Rasa 3.6 DIET server (same data/nlu, via POST /model/parse)\n")
    print(table(["parse p50 ms (HTTP)", "parse p99 ms (HTTP)", "same intent+category as builtin"],
                [(ms["p50"], ms["p99"], f"{agree}/{len(free_text)}")]))


class Tee:
    """Print to the terminal and to bench/results/nlu_bench.md at once."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> None:
        for stream in self.streams:
            stream.write(text)
            stream.flush()

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true", help="skip the cross-validation (minutes), keep the rest")
    parser.add_argument("--parse-only", action="store_true",
                        help="only the parse time by length (trains the teddy2020 model first when present)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    sys.stdout = Tee(sys.stdout, (RESULTS / "nlu_bench.md").open("w", encoding="utf-8"))
    print(f"# NLU benchmark\n\n{machine()}")
    category = None
    if args.parse_only:
        parse_by_length(args.dataset, teddy_trained(args.dataset) if args.dataset.exists() else None)
        return
    if args.dataset.exists():
        if not args.skip_cv:
            teddy_cv(args.dataset, args.folds)
        category = teddy_trained(args.dataset)
    else:
        print(f"\n(teddy2020 skipped: {args.dataset} not found; pass --dataset PATH)")
    emergencies()
    places()
    demo()
    parse_by_length(args.dataset, category)
    rasa_server()


if __name__ == "__main__":
    main()
