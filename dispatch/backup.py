"""Backups: one tar file holding a consistent copy of the store and every photo, made while serving.

The database is copied with SQLite's online backup API, which reads one consistent snapshot while
other connections keep writing (WAL mode: readers and the writer do not wait for each other). The copy is checked
(``PRAGMA integrity_check``) before it goes into the archive, and the archive appears under its final
name only once complete, so a crash mid-backup never leaves a file that looks whole. Photos are
plain files in ``store.media_dir``; they are added after the snapshot, so every photo the snapshot
names is in the archive.
"""

from __future__ import annotations

import os
import sqlite3
import tarfile
import tempfile
import time
from datetime import datetime
from pathlib import Path

from dispatch.lease import KEY as LEASE_KEY

DB_NAME = "sandan.db"
MEDIA_NAME = "media"
PATTERN = "sandan-*.tar"


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


def archive_name(now: datetime) -> str:
    return now.strftime("sandan-%Y%m%d-%H%M%S.tar")


def _copy_database(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        # one step: a single read transaction, one snapshot. In WAL mode a reader never blocks the writers,
        # while a copy in several steps starts over each time another connection writes (forever, under load).
        src.backup(dst)
        problem = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"the copy of {source} failed its integrity check ({problem}); nothing was written")
    except sqlite3.Error as e:
        raise BackupError(f"{source}: cannot read the database ({e})")
    finally:
        dst.close()
        src.close()


def backup(db_path: Path, media_dir: Path, target: Path) -> Path:
    """Write the archive ``target`` (a folder gets a dated file inside); returns its path."""
    if target.is_dir():
        target = target / archive_name(datetime.now())
    target.parent.mkdir(parents=True, exist_ok=True)
    if not Path(db_path).exists():
        raise BackupError(f"{db_path}: no database to back up; check store.path")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        copy = Path(tmp) / DB_NAME
        _copy_database(Path(db_path), copy)
        partial = Path(tmp) / target.name
        with tarfile.open(partial, "w") as tar:
            tar.add(copy, arcname=DB_NAME)
            if media_dir.is_dir():
                tar.add(media_dir, arcname=MEDIA_NAME)
        os.replace(partial, target)
    return target


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        parts = Path(m.name).parts
        if m.name != DB_NAME and (not parts or parts[0] != MEDIA_NAME):
            raise BackupError(f"unexpected entry {m.name!r}: this is not a Sandan backup")
        if Path(m.name).is_absolute() or ".." in parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"unsafe entry {m.name!r} in the archive; refusing to restore it")
        members.append(m)
    return members


def server_running(db_path: Path, now_epoch: float | None = None) -> bool:
    """Whether a scheduler still renews its lease in this store (the server is up)."""
    if not Path(db_path).exists():
        return False
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT expires_at FROM kv WHERE key = ?", [LEASE_KEY]).fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return bool(row and row[0] and row[0] > (now_epoch if now_epoch is not None else time.time()))


def restore(archive: Path, db_path: Path, media_dir: Path) -> int:
    """Replace the store with the archive's and put its photos back in ``media_dir``; returns the photo count.

    :raises BackupError: when the archive is not a whole Sandan backup (nothing is changed then).
    """
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup file")
    try:
        tar = tarfile.open(archive, "r")
    except tarfile.TarError as e:
        raise BackupError(f"{archive}: not a readable backup ({e})")
    db_path, media_dir = Path(db_path), Path(media_dir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with tar, tempfile.TemporaryDirectory(dir=db_path.parent, prefix=".restore-") as tmp:
        members = _safe_members(tar)
        if DB_NAME not in {m.name for m in members}:
            raise BackupError(f"{archive}: has no {DB_NAME}; this is not a Sandan backup")
        tar.extractall(tmp, members=members, filter="data")
        conn = sqlite3.connect(Path(tmp) / DB_NAME)
        try:
            problem = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if problem != "ok":
            raise BackupError(f"{archive}: the database in it is damaged ({problem}); try an older backup")
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(Path(tmp) / DB_NAME, db_path)
        photos = 0
        restored_media = Path(tmp) / MEDIA_NAME
        for file in sorted(restored_media.rglob("*")) if restored_media.is_dir() else []:
            if file.is_file():
                dest = media_dir / file.relative_to(restored_media)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, dest)
                photos += 1
    return photos


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``folder``; returns what was deleted."""
    archives = sorted(folder.glob(PATTERN), key=lambda p: p.name, reverse=True)
    gone = archives[keep:]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
