"""The deployment files, linted (no Docker engine or systemd here): they start what exists, with options the
CLI takes, one scheduler, the store in a volume; the lock file pins the whole tree; the Python floor is true."""

from __future__ import annotations

import configparser
import re
import shlex
import sys
from pathlib import Path

import click
import pytest
import yaml

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [tuple(line.split(None, 1)) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def sandan_command(argv: list[str]) -> None:
    """Fail unless ``sandan ARGS`` names a real command and only options it takes."""
    assert argv and argv[0].endswith("sandan"), argv
    ctx = cli.make_context("sandan", list(argv[1:]), resilient_parsing=False)
    command = cli
    args = list(argv[1:])
    while isinstance(command, click.Group):
        name, command, args = command.resolve_command(ctx, args)
        ctx = command.make_context(name, args, parent=ctx)   # raises on an unknown option


def test_dockerfile_builds_what_the_repository_has():
    steps = instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM" and steps[0][1].startswith("python:3.11")
    for kind, rest in steps:
        if kind == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
    packages = re.findall(r'"(\w+)\*"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    copied = {rest.split()[0] for kind, rest in steps if kind == "COPY"}
    assert set(packages) <= copied, "every package pyproject installs is copied into the image"
    assert any(k == "USER" and rest.strip() != "root" for k, rest in steps)
    assert "HEALTHCHECK" in kinds and ("VOLUME", '["/app/var"]') in steps
    cmd = dict(steps)["CMD"]
    assert "sandan serve --host 0.0.0.0 --port 8800" in cmd


def test_compose_runs_web_and_one_worker_on_a_shared_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert "sandan-var" in compose["volumes"]
    for service in (web, worker):
        assert "sandan-var:/app/var" in service["volumes"] and service["env_file"] == "secrets.env"
    assert "--no-scheduler" in " ".join(web["command"]) and worker["command"] == ["sandan", "worker"]
    assert all(p.startswith("127.0.0.1:") for p in web["ports"]), "only the reverse proxy reaches the server"
    assert "/ready" in " ".join(web["healthcheck"]["test"])
    sandan_command(shlex.split(web["command"][-1].split("exec ", 1)[1]))
    sandan_command(worker["command"])


@pytest.mark.parametrize("unit", sorted((ROOT / "deploy").glob("*.service")), ids=lambda p: p.name)
def test_systemd_units_start_real_commands(unit: Path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(unit.read_text(encoding="utf-8"))
    assert set(parser.sections()) == {"Unit", "Service", "Install"}
    service = parser["Service"]
    assert service["User"] != "root" and service["EnvironmentFile"] == "/etc/sandan/secrets.env"
    assert service["Restart"] == "on-failure"
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            sandan_command(shlex.split(service[key]))


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line} is not pinned"
            found[name.lower().replace("_", "-")] = version
    return found


def test_the_lock_files_pin_the_whole_tree_as_requirements_say():
    full, runtime = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-runtime.lock")
    direct = {**pins(ROOT / "requirements.txt"), **pins(ROOT / "requirements-dev.txt")}
    assert {k: full.get(k) for k in direct} == direct
    assert {k: full.get(k) for k in runtime} == runtime, "the image installs the versions the tests ran"
    assert len(full) > 2 * len(direct)          # the transitive dependencies too
    assert "requirements.lock" in (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")


def test_the_python_floor_is_true():
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "sys.version_info < (3, 11)" in (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert sys.version_info >= (3, 11)


def test_rasa_listens_on_loopback_only():
    script = (ROOT / "scripts" / "rasa-server.sh").read_text(encoding="utf-8")
    assert 'HOST="${SANDAN_RASA_HOST:-127.0.0.1}"' in script and '--interface "$HOST"' in script


@pytest.mark.parametrize("section", ["Deploying", "Backups", "Monitoring"])
def test_the_readme_has_the_operator_s_sections(section: str):
    assert f"\n## {section}\n" in (ROOT / "README.md").read_text(encoding="utf-8")
