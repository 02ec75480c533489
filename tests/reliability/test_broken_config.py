"""A broken config.yaml or deployment file: the CLI prints one "Error: <file>: <key>: …" line and exits 1.

Each case breaks a fresh copy of the shipped files in a different way and runs `sandan triage`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def broken_copy(folder: Path, file: str, old: str, new: str) -> Path:
    """Copy config.yaml and data/*.yaml into folder, replace old by new in one of them; the config's path."""
    (folder / "data").mkdir()
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    for item in (ROOT / "data").glob("*.yaml"):
        shutil.copy(item, folder / "data" / item.name)
    target = folder / file
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {file}: update this test"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder / "config.yaml"


CASES = [
    # (file, old, new, what the one line must say)
    ("config.yaml", "store:\n", "store:\n  path: [unclosed\n", "config.yaml: line"),
    ("config.yaml", "web:\n", "web:\n\tapi_key: tab\n", "config.yaml: line"),
    ("config.yaml", "web:\n", "webb:\n", "config.yaml: webb: Extra inputs are not permitted"),
    ("config.yaml", "  max_body_bytes: 1048576", "  max_body_bytes: [1, 2]", "config.yaml: web.max_body_bytes:"),
    ("config.yaml", "  review_threshold: 0.45", "  review_threshold: 7", "config.yaml: nlu.review_threshold:"),
    ("config.yaml", "  remind_at: [0.5, 0.8]", "  remind_at: soon", "config.yaml: dispatch.remind_at:"),
    ("config.yaml", "deployment_file: data/deployment.yaml", "deployment_file: data/nowhere.yaml",
     "nowhere.yaml: file not found"),
    ("data/deployment.yaml", "department: chengguan", "department: nosuch",
     "deployment.yaml: categories.市容秩序.department: unknown department 'nosuch'"),
    ("data/deployment.yaml", "communities:", "communitiez:", "deployment.yaml:"),
]


@pytest.mark.parametrize("file, old, new, expected", CASES,
                         ids=["bad-yaml", "tab-indent", "unknown-key", "wrong-type", "out-of-range", "not-a-list",
                              "missing-deployment", "unknown-department", "deployment-unknown-key"])
def test_broken_config_gives_one_error_line(tmp_path: Path, file: str, old: str, new: str, expected: str):
    config = broken_copy(tmp_path, file, old, new)
    result = CliRunner().invoke(cli, ["triage", "--config", str(config)], input="路灯坏了\n")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_a_config_that_is_not_utf8_says_so(tmp_path: Path):
    config = broken_copy(tmp_path, "config.yaml", "store:", "store:")
    config.write_bytes(config.read_text(encoding="utf-8").encode("gb18030"))
    result = CliRunner().invoke(cli, ["triage", "--config", str(config)], input="路灯坏了\n")
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "UTF-8" in result.output


def test_an_empty_or_list_config_is_refused_clearly(tmp_path: Path):
    config = broken_copy(tmp_path, "config.yaml", "store:", "store:")
    config.write_text("- just\n- a list\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "--config", str(config)], input="路灯坏了\n")
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "mapping" in result.output
