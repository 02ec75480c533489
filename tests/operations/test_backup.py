"""The restore drill: back up while reports keep arriving, lose everything, restore, and find every ticket,
event, point and photo that existed when the backup began."""

from __future__ import annotations

import io
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from dispatch import backup, lease, points
from dispatch.store import connect
from tests.conftest import API_KEY
from tests.operations.test_calendar_warning import config_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PLACES = ["广场花苑小区", "龙西小区", "芙蓉苑小区"]


@pytest.fixture
def services(services):
    """The demo's web chat on: its photo upload is how a reporter's photo reaches the media folder."""
    s = services.config.settings
    settings = s.model_copy(update={"web": s.web.model_copy(update={"demo_chat": True})})
    return type(services)(services.config.model_copy(update={"settings": settings}), services.engine,
                          services.knowledge)


def rows(db, table: str) -> set[int]:
    return {r[0] for r in db.execute(f"SELECT id FROM {table}")}   # our own table names


def test_restore_drill_after_a_backup_under_load(app, client, db, services):
    config = services.config
    for n in range(6):   # reports with photos, taken, done and rated: events, media, points
        r = client.post("/chat/send", content_type="multipart/form-data", data={
            "persona": ("rider-li", "rider-chen", "resident-zhang")[n % 3], "text": f"{PLACES[n % 3]}{n + 1}栋的垃圾桶坏了", "photo": (io.BytesIO(PNG), "a.png")})
        assert r.status_code == 200 and "工单号" in r.get_json()["reply"]
    points.sync(db, config, datetime.now(timezone.utc))
    db.conn.commit()
    before = {t: rows(db, t) for t in ("tickets", "ticket_events", "points_ledger", "media")}
    assert all(before.values())

    def keep_reporting() -> None:   # another client, all through the backup
        other = app.test_client()
        for n in range(40):
            other.post("/api/messages", headers={"X-Api-Key": API_KEY}, json={
                "sender": f"load-{n}", "text": f"龙西小区{n + 1}栋楼道灯不亮了", "msg_id": f"load-{n}"})

    load = threading.Thread(target=keep_reporting)
    load.start()
    time.sleep(0.05)
    archive = backup.backup(Path(config.settings.store.path), Path(config.settings.store.media_dir),
                            Path(config.settings.store.path).parent / "backups" / "drill.tar")
    load.join(60)

    db.close()                                      # the disaster: the store and every photo are gone
    store = Path(config.settings.store.path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(config.settings.store.media_dir)

    photos = backup.restore(archive, store, Path(config.settings.store.media_dir))
    restored = connect(store)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table, ids in before.items():
        assert ids <= rows(restored, table), f"{table} lost rows"
    tickets = rows(restored, "tickets")
    assert {r[0] for r in restored.execute("SELECT ticket_id FROM ticket_events")} <= tickets
    paths = [r[0] for r in restored.execute("SELECT path FROM media WHERE path IS NOT NULL")]
    assert len(paths) >= 6 and photos >= len(paths)
    assert all(Path(p).is_file() and Path(p).read_bytes() == PNG for p in paths)
    restored.close()


def test_backup_and_restore_commands(tmp_path: Path):
    config = config_in(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "init", "--config", str(config)], catch_exceptions=False).exit_code == 0
    (tmp_path / "var" / "media" / "chat").mkdir(parents=True)
    (tmp_path / "var" / "media" / "chat" / "p.png").write_bytes(PNG)
    made = runner.invoke(cli, ["db", "backup", "--config", str(config)], catch_exceptions=False)
    assert made.exit_code == 0 and "已备份" in made.output
    [archive] = (tmp_path / "var" / "backups").glob("sandan-*.tar")
    db = connect(tmp_path / "var" / "sandan.db")
    lease.hold(db, "a-running-server", time.time(), 60)
    db.close()
    refused = runner.invoke(cli, ["db", "restore", str(archive), "--config", str(config)])
    assert refused.exit_code == 1 and "stop it first" in refused.output
    (tmp_path / "var" / "media" / "chat" / "p.png").unlink()
    done = runner.invoke(cli, ["db", "restore", str(archive), "--config", str(config), "--force"],
                         catch_exceptions=False)
    assert done.exit_code == 0 and "照片 1 张" in done.output
    assert (tmp_path / "var" / "media" / "chat" / "p.png").read_bytes() == PNG


def test_retention_keeps_the_newest(tmp_path: Path):
    for day in range(1, 10):
        (tmp_path / f"sandan-202612{day:02d}-030000.tar").write_bytes(b"x")
    gone = backup.prune(tmp_path, 7)
    assert sorted(p.name for p in gone) == ["sandan-20261201-030000.tar", "sandan-20261202-030000.tar"]
    assert len(list(tmp_path.glob("sandan-*.tar"))) == 7
