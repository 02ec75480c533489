"""The operator hears of a year whose days off nobody has published: at `sandan db init` and on the dashboard."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from freezegun import freeze_time

from bot.cli import cli
from tests.web.conftest import Dashboard

ROOT = Path(__file__).resolve().parents[2]
DECEMBER = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SUMMER = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def config_in(folder: Path) -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for key in ("deployment_file", "knowledge_file"):
        text = text.replace(f"{key}: data/", f"{key}: {ROOT / 'data'}/")
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_db_init_warns_when_next_year_is_unknown(tmp_path: Path):
    config = config_in(tmp_path)
    with freeze_time(DECEMBER):
        result = CliRunner().invoke(cli, ["db", "init", "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "还没有 2027 年的法定节假日和调休安排" in result.output
    with freeze_time(SUMMER):
        result = CliRunner().invoke(cli, ["db", "init", "--config", str(config)], catch_exceptions=False)
    assert "法定节假日" not in result.output


def test_the_dashboard_shows_the_warning(client):
    dash = Dashboard(client)
    with freeze_time(SUMMER, tick=True):
        dash.login()
        assert 'id="calendar-warning"' not in dash.page("/dashboard/")
    with freeze_time(DECEMBER, tick=True):
        dash.login()
        assert "还没有 2027 年的法定节假日和调休安排" in dash.page("/dashboard/")
