"""`sandan db backup` / `restore` on PostgreSQL: a backup taken while reports keep arriving restores into a new
database with every ticket, event, push and photo that existed when it began, and ids go on from there."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.conversation import handle
from bot.inbound import Inbound
from bot.services import Services
from dispatch import backup, media
from dispatch.clock import utcnow
from dispatch.store import connect, init_db
from dispatch.users import seed_staff
from tests import postgres_store

pytestmark = pytest.mark.skipif(not postgres_store.ADMIN_URL,
                                reason="no PostgreSQL: run through scripts/test.sh or set SANDAN_TEST_PG_URL")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def on(services: Services, url: str) -> Services:
    store = services.config.settings.store.model_copy(update={"url": url, "media": "database"})
    settings = services.config.settings.model_copy(update={"store": store})
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


def ids(db, table: str) -> set[int]:
    return {r[0] for r in db.execute(f"SELECT id FROM {table}")}   # our own table names


def test_a_backup_under_load_restores_into_a_new_database_whole(services: Services, tmp_path: Path):
    databases = postgres_store.fresh_database()
    url = next(databases)
    restored_databases = postgres_store.fresh_database()
    new_url = next(restored_databases)
    live = on(services, url)
    db = connect(url)
    seed_staff(db, live.config.deployment, utcnow())
    for n, place in enumerate(["广场花苑小区3栋", "龙西小区5栋", "芙蓉苑小区2栋"]):
        handle(live, db, Inbound("api", f"r{n}", f"m{n}", f"{place}的垃圾桶坏了"), utcnow())
    media.DatabaseFiles(url, None).save("chat/p.png", PNG, db)
    before = {t: ids(db, t) for t in ("tickets", "ticket_events", "outbox", "messages")}

    def keep_reporting() -> None:   # another web process, all through the backup
        conn = connect(url)
        for n in range(15):
            handle(live, conn, Inbound("api", f"load-{n}", f"load-{n}", f"龙西小区{n + 1}栋楼道灯不亮了"), utcnow())
        conn.close()

    load = threading.Thread(target=keep_reporting)
    load.start()
    archive = backup.backup(url, tmp_path / "media", tmp_path / "backups" / "pg.tar")
    load.join(120)
    tickets_now = len(ids(db, "tickets"))
    db.close()

    emptied = init_db(new_url)     # the disaster: restore into a new database (dropdb/createdb)
    emptied.close()
    backup.restore(archive, new_url, tmp_path / "media")
    restored = connect(new_url)
    for table, kept in before.items():
        assert kept <= ids(restored, table), f"{table} lost rows"
    assert {r[0] for r in restored.execute("SELECT ticket_id FROM ticket_events")} <= ids(restored, "tickets")
    assert media.DatabaseFiles(new_url, None).read("chat/p.png", restored) == PNG
    top = max(ids(restored, "tickets"))
    assert top <= tickets_now
    reply = handle(on(services, new_url), restored, Inbound("api", "r9", "after", "芙蓉苑小区5栋楼道灯不亮了"),
                   utcnow()).text
    assert f"工单号 {top + 1}" in reply                                   # ids go on from the restored ones
    restored.close()
    with pytest.raises(backup.BackupError, match="already holds rows"):    # never over a store in use
        backup.restore(archive, new_url, tmp_path / "media")
    next(databases, None)
    next(restored_databases, None)
