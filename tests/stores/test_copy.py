"""`sandan db copy`: a SQLite deployment moves to PostgreSQL with every row, proved by counts and checksums."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.conversation import handle
from bot.services import Services
from bot.inbound import Inbound
from dispatch import points
from dispatch.clock import utcnow
from dispatch.store import connect, init_db
from dispatch.users import seed_staff
from tests import postgres_store

pytestmark = pytest.mark.skipif(not postgres_store.ADMIN_URL,
                                reason="no PostgreSQL: run through scripts/test.sh or set SANDAN_TEST_PG_URL")


@pytest.fixture
def postgres_url():
    yield from postgres_store.fresh_database()


def test_a_sqlite_store_moves_to_postgresql_whole(services: Services, tmp_path, postgres_url: str):
    path = str(tmp_path / "old.db")
    db = init_db(path)
    seed_staff(db, services.config.deployment, utcnow())
    on_sqlite = Services(services.config.model_copy(update={"settings": services.config.settings.model_copy(
        update={"store": services.config.settings.store.model_copy(update={"url": "", "path": path})})}),
        services.engine, services.knowledge)
    said = [("r1", "广场花苑小区3栋的垃圾桶坏了"), ("r2", "广场花苑小区3栋的垃圾桶坏了，好几天了"),
            ("r3", "濂溪路实验小学对面的路灯不亮了"), ("r1", "兑换 爱心餐"), ("sec-longxi-1", "接单 1")]
    for n, (who, text) in enumerate(said):
        handle(on_sqlite, db, Inbound("api", who, f"m{n}", text), utcnow())
    points.sync(db, on_sqlite.config, utcnow())
    tickets_before = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    db.close()
    result = CliRunner().invoke(cli, ["db", "copy", "--from", f"sqlite:///{path}", "--to", postgres_url],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[:-1]}
    assert {"users", "tickets", "ticket_events", "ticket_followers", "outbox", "points_ledger", "messages",
            "deadline_marks"} <= set(lines)
    assert all(line.endswith("一致") and not line.endswith("不一致") for line in lines.values()), result.output
    assert f"tickets{' ' * 14}{tickets_before:>9} 行" in lines["tickets"]

    pg = connect(postgres_url)
    on_postgres = Services(services.config.model_copy(update={"settings": services.config.settings.model_copy(
        update={"store": services.config.settings.store.model_copy(update={"url": postgres_url})})}),
        services.engine, services.knowledge)
    reply = handle(on_postgres, pg, Inbound("api", "r9", "after-copy", "芙蓉苑小区5栋楼道灯不亮了"), utcnow()).text
    assert f"工单号 {tickets_before + 1}" in reply        # ids go on from the copied ones
    assert "广场花苑小区3栋" in handle(on_postgres, pg, Inbound("api", "r1", "after-copy-2", "进度 1"), utcnow()).text
    pg.close()

    again = CliRunner().invoke(cli, ["db", "copy", "--from", f"sqlite:///{path}", "--to", postgres_url])
    assert again.exit_code == 1 and "already holds rows in" in again.output


def test_tables_bigger_than_one_batch_stream_across_and_back_whole(services: Services, tmp_path, postgres_url: str,
                                                                   monkeypatch):
    from dispatch import copy, outbox

    monkeypatch.setattr(copy, "BATCH", 7)          # every table below spans several batches
    path, back = str(tmp_path / "old.db"), str(tmp_path / "back.db")
    db = init_db(path)
    now = utcnow()
    seed_staff(db, services.config.deployment, now)
    for n in range(50):
        outbox.enqueue(db, "api:sec-longxi-1", f"推送 {n}", now, None, f"k{n}")
    db.close()
    for source, target in ((f"sqlite:///{path}", postgres_url), (postgres_url, f"sqlite:///{back}")):
        result = CliRunner().invoke(cli, ["db", "copy", "--from", source, "--to", target], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        lines = {line.split()[0]: line for line in result.output.splitlines()[:-1]}
        assert "outbox                      50 行" in lines["outbox"] and lines["outbox"].endswith(" 一致")
        assert lines["users"].endswith(" 一致") and int(lines["users"].split()[1]) > 7
    first, last = connect(path), connect(back)
    assert copy.checksum(first, "outbox", copy.columns(first, "outbox"), ["id"]) == \
        copy.checksum(last, "outbox", copy.columns(first, "outbox"), ["id"])
    first.close()
    last.close()
