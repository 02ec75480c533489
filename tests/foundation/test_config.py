"""config.yaml and the deployment file: validated at start, one clear line per mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from settings import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deployment_copy(tmp_path: Path) -> Path:
    """A copy of the shipped config and deployment to break."""
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "data").mkdir()
    for name in ("deployment.yaml", "knowledge.yaml"):
        shutil.copy(ROOT / "data" / name, tmp_path / "data" / name)
    return tmp_path


def test_shipped_demo_config_is_valid():
    config = load_config(ROOT / "config.yaml")
    grids = [g for c in config.deployment.communities for g in c.grids]
    places = [p for g in grids for p in g.places]
    assert len(config.deployment.communities) == 4 and len(grids) == 12 and len(places) >= 36
    assert {c.name for c in config.deployment.communities} >= {"龙西社区", "芙蓉社区", "仙源社区", "平东社区"}


@pytest.mark.parametrize("edit, expected", [
    (("config.yaml", "  max_body_bytes: 1048576", "  max_body_bytes: lots"),
     "config.yaml: web.max_body_bytes: Input should be a valid integer"),
    (("config.yaml", "store:", "stroe:"), "config.yaml: stroe: Extra inputs are not permitted; remove it"),
    (("config.yaml", "  backend: builtin", "  backend: gpt"), "config.yaml: nlu.backend: Input should be 'builtin' or 'rasa'"),
    (("config.yaml", "wechat:", "wechat: [\n"), "config.yaml: line"),
    (("deployment.yaml", "department: chengguan", "department: nowhere"),
     "deployment.yaml: categories.市容秩序.department: unknown department 'nowhere'"),
    (("deployment.yaml", "  - name: 其他\n", "  - name: 杂项\n"), "add a catch-all category named '其他'"),
    (("deployment.yaml", "words: [着火,", "words: ['着火(', "),
     "deployment.yaml: emergencies.kinds.2.words: '着火(' is not a valid regular expression"),
    (("deployment.yaml", "      category: 安全隐患\n      words: [着火", "      category: 消防\n      words: [着火"),
     "deployment.yaml: emergencies.火情.category: unknown category '消防'"),
    (("deployment.yaml", '      call: "120"\n', "      call: ''\n"), "deployment.yaml: emergencies.kinds.6.call:"),
    (("deployment.yaml", "words: [电线裸露,", "words: ['电线(裸露', "),
     "deployment.yaml: urgency.0.words: '电线(裸露' is not a valid regular expression"),
    (("deployment.yaml", "name: 芙蓉骑士队, community: furong", "name: 龙西小哥队, community: furong"),
     "deployment.yaml: teams.furong-riders: '龙西小哥队' is used by another team; give each team its own id and name"),
    (("deployment.yaml", "name: 芙蓉骑士队, community: furong", "name: 芙蓉骑士队, community: nowhere"),
     "deployment.yaml: teams.furong-riders.community: unknown community 'nowhere'"),
    (("config.yaml", "{stars: 2, points: 100, hours: 2}", "{stars: 2, points: 10, hours: 2}"),
     "config.yaml: volunteers.stars: the 2-star level must come after the 1-star one and need at least its points"),
])
def test_broken_config_names_the_key(deployment_copy: Path, edit, expected):
    name, old, new = edit
    path = deployment_copy / ("config.yaml" if name == "config.yaml" else f"data/{name}")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(deployment_copy / "config.yaml")
    assert expected in str(e.value)
    assert "\n" not in str(e.value)


def test_cli_prints_one_error_line_not_a_traceback(deployment_copy: Path):
    path = deployment_copy / "config.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("store:", "stroe:", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "--config", str(path)], input="路灯坏了\n")
    assert result.exit_code == 1
    assert result.output.startswith("Error: config.yaml: stroe: Extra inputs are not permitted")
    assert "Traceback" not in result.output


def test_missing_config_file_says_how_to_fix(tmp_path: Path):
    with pytest.raises(ConfigError, match="file not found; create it or pass --config"):
        load_config(tmp_path / "nope.yaml")


def test_secrets_come_from_the_environment():
    config = load_config(ROOT / "config.yaml", environ={"SANDAN_WECHAT_APP_SECRET": "from-env",
                                                       "SANDAN_ADMIN_PASSWORD": "pw"})
    assert config.settings.wechat.app_secret == "from-env"
    assert config.settings.web.admin_password == "pw"
