"""The `sandan` command: documented, and triage gives the bot's decision without storing anything."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


@pytest.mark.parametrize("name, command", list(all_commands(cli)))
def test_every_command_has_help_and_an_example(name: str, command: click.Command):
    assert command.help, f"`sandan {name}` has no help"
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"`sandan {name}` has no Example: block"


@pytest.mark.parametrize("name", [n.split()[0] for n, c in all_commands(cli) if " " not in n])
def test_every_command_is_in_the_readme(name: str):
    assert f"sandan {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_triage_gives_the_decision_and_stores_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["triage"], input="广场花苑小区3栋的垃圾桶坏了\n\n濂溪路实验小学对面的路灯不亮了\n",
                                catch_exceptions=False)
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 2
    bin_, light = lines
    assert {k: bin_[k] for k in ("intent", "category", "handling", "community", "place", "building", "grid")} == {
        "intent": "report", "category": "环境卫生", "handling": "self", "community": "龙西社区",
        "place": "广场花苑小区", "building": "3栋", "grid": "龙西社区第一网格党支部"}
    assert set(bin_) >= {"text", "intent", "category", "handling", "urgency", "community", "place", "building",
                         "grid", "department", "confidence"}
    assert (light["handling"], light["department"]) == ("transfer", "区城管局路灯维护所")


def test_db_init_creates_the_store_and_binds_staff(tmp_path: Path):
    config = tmp_path / "config.yaml"
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("deployment_file: data/deployment.yaml", f"deployment_file: {ROOT / 'data/deployment.yaml'}")
    text = text.replace("knowledge_file: data/knowledge.yaml", f"knowledge_file: {ROOT / 'data/knowledge.yaml'}")
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["db", "init", "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == 0 and "数据库已就绪" in result.output
    assert (tmp_path / "var" / "sandan.db").exists()
