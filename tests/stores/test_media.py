"""Photos reachable from every machine: kept in the store (``store.media: database``) or in the media folder
(``local``), on each store; and carried whole by `sandan db copy`, proved by count and checksums."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.services import Services
from dispatch import media
from dispatch.store import connect, init_db
from tests import postgres_store
from tests.channels.conftest import tiny_png
from tests.conftest import build_app

PHOTO = tiny_png(3, 2)


def machine(services: Services, store: str, folder: Path, place: str = "") -> Services:
    """The deployment as one web machine runs it: the shared store, its own media folder, /chat on."""
    s = services.config.settings
    where = {"url": store} if "://" in store else {"url": "", "path": store}
    settings = s.model_copy(update={
        "store": s.store.model_copy(update={**where, "media_dir": str(folder), "media": place}),
        "web": s.web.model_copy(update={"demo_chat": True})})
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


def post_photo(client, text: str = "广场花苑小区3栋的垃圾桶坏了"):
    return client.post("/chat/send", data={"persona": "rider-li", "text": text, "photo": (io.BytesIO(PHOTO), "p.png")},
                       content_type="multipart/form-data")


def test_the_default_place_is_the_store_on_postgresql_and_the_folder_on_sqlite():
    assert media.place("", "postgresql://sandan@db/sandan") == media.DATABASE
    assert media.place("", "/srv/sandan/var/sandan.db") == media.LOCAL
    assert media.place("local", "postgresql://sandan@db/sandan") == media.LOCAL


def test_a_photo_kept_in_the_store_is_served_by_another_machine(services: Services, store: str, tmp_path: Path):
    one = build_app(machine(services, store, tmp_path / "one", "database")).test_client()
    two = build_app(machine(services, store, tmp_path / "two", "database")).test_client()
    assert "工单号" in post_photo(one).get_json()["reply"]
    [url] = one.get("/chat/updates?persona=rider-li").get_json()["direct"][0]["photos"]
    answer = two.get(url)                                  # machine two never had the file on its disk
    assert answer.status_code == 200 and answer.data == PHOTO and answer.mimetype == "image/png"
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()
    db = connect(store)
    [(size, digest)] = db.execute("SELECT size, sha256 FROM media_files").fetchall()
    db.close()
    assert (size, digest) == (len(PHOTO), media.sha256(PHOTO))


def test_a_photo_kept_in_the_folder_is_served_from_it_and_a_path_outside_it_never(services: Services, store: str,
                                                                                   tmp_path: Path):
    client = build_app(machine(services, store, tmp_path / "media", "local")).test_client()
    post_photo(client)
    [url] = client.get("/chat/updates?persona=rider-li").get_json()["direct"][0]["photos"]
    assert client.get(url).data == PHOTO
    assert [p.read_bytes() for p in (tmp_path / "media" / "chat").iterdir()] == [PHOTO]
    files = media.LocalFiles(tmp_path / "media")
    (tmp_path / "secret.txt").write_text("not a photo")
    assert files.read(str(tmp_path / "secret.txt")) is None and files.read("../secret.txt") is None
    with pytest.raises(ValueError):
        files.save("../elsewhere.png", PHOTO)


@pytest.mark.skipif(not postgres_store.ADMIN_URL, reason="no PostgreSQL: run through scripts/test.sh")
def test_db_copy_carries_the_photos_to_postgresql_and_back(services: Services, tmp_path: Path):
    path = str(tmp_path / "old.db")
    init_db(path).close()
    old = build_app(machine(services, path, tmp_path / "media", "local")).test_client()
    post_photo(old)
    post_photo(old, "仙源小区5栋门口的路灯不亮了")
    (tmp_path / "media" / "chat" / "lost.png").write_bytes(PHOTO)
    db = connect(path)
    db.execute("UPDATE messages SET photos = ? WHERE id = (SELECT max(id) FROM messages)",
               [json.dumps([{"url": "/chat/media/gone.png", "path": str(tmp_path / "media" / "chat" / "gone.png")}])])
    db.close()

    databases = postgres_store.fresh_database()
    pg = next(databases)
    try:
        there = CliRunner().invoke(cli, ["db", "copy", "--from", f"sqlite:///{path}", "--to", pg,
                                         "--media-dir", str(tmp_path / "media")], catch_exceptions=False)
        assert there.exit_code == 0, there.output
        [line] = [x for x in there.output.splitlines() if x.startswith("媒体文件")]
        assert line.split()[1] == "2" and line.endswith("一致")
        assert f"源库缺少文件（行里有，文件不在）：{tmp_path / 'media' / 'chat' / 'gone.png'}" in there.output

        elsewhere = build_app(machine(services, pg, tmp_path / "new-machine")).test_client()   # default: database
        url = elsewhere.get("/chat/updates?persona=rider-li").get_json()["direct"][0]["photos"][0]
        assert elsewhere.get(url).data == PHOTO

        back = str(tmp_path / "back.db")
        again = CliRunner().invoke(cli, ["db", "copy", "--from", pg, "--to", f"sqlite:///{back}",
                                         "--media-dir", str(tmp_path / "back-media"), "--media", "local"],
                                   catch_exceptions=False)
        assert again.exit_code == 0, again.output
        assert "媒体文件" in again.output and "不一致" not in again.output
        assert len(list((tmp_path / "back-media" / "chat").iterdir())) == 2   # out of the store, into a folder
        on_sqlite = build_app(machine(services, back, tmp_path / "back-media", "local")).test_client()
        assert on_sqlite.get(url).data == PHOTO
    finally:
        next(databases, None)
