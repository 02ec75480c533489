"""Helpers shared by the bench scripts: timing, percentiles, a plain table printer, the machine line.

Bench scripts are run directly (``.venv/bin/python bench/scale.py``); they put the repository root on
sys.path so they import the app exactly as the server does. Nothing here is part of the test suite.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """One line describing where the numbers came from."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average (1/5/15 min) {load} at the end of the run")


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank; values need not be sorted."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Run fn repeat times; the durations in milliseconds."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {"p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan"),
            "mean": statistics.fmean(ms) if ms else float("nan")}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table, so output pastes straight into BENCHMARKS.md."""
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)
    cells = [[cell(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join(lines)


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "OVER"


def write_config(folder: Path, sections: dict | None = None) -> Path:
    """A copy of the shipped config.yaml whose relative paths point back into the repository, its store in
    ``folder``, with ``sections`` merged over it; returns the new file's path."""
    import yaml

    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for key in ("deployment_file", "knowledge_file", "nlu_data_dir"):
        if key in raw:
            raw[key] = str(ROOT / raw[key])
    if "model_path" in raw.get("nlu", {}):
        raw["nlu"]["model_path"] = str(ROOT / raw["nlu"]["model_path"])
    raw["store"] = {"path": str(folder / "sandan.db"), "media_dir": str(folder / "media")}
    for section, values in (sections or {}).items():
        raw[section] = {**raw.get(section, {}), **values} if isinstance(values, dict) else values
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def wait_until_up(port: int, proc: "subprocess.Popen | None" = None, timeout: float = 120) -> None:
    """Poll GET /health on loopback until the server answers (any status); fail if its process exits."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing answered on port {port} after {timeout:.0f} s")


def process_tree(pid: int) -> list[int]:
    """A process and its children (gunicorn's master and workers)."""
    try:
        return [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return [pid]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its children have used so far."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])   # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")
