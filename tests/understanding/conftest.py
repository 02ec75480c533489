"""Fixtures for the NLU tests: the demo engine (built once per session by tests/conftest.py) and a config
copy whose model file lives in a temporary folder, for commands that train and save."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def engine(base_services):
    return base_services.engine


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """config.yaml with absolute data paths and the model saved under tmp_path."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for key in ("deployment_file", "knowledge_file", "nlu_data_dir"):
        text = _set_path(text, key, ROOT)
    text = text.replace("model_path: var/nlu-model.pkl", f"model_path: {tmp_path / 'model.pkl'}")
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _set_path(text: str, key: str, root: Path) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            value = line.split(":", 1)[1].split("#", 1)[0].strip()
            line = f"{key}: {root / value}"
        lines.append(line)
    return "\n".join(lines) + "\n"
