"""Backups: one tar file holding a consistent copy of the store and every photo, made while serving.

On PostgreSQL every row is copied into the archive's SQLite file in one REPEATABLE READ snapshot
(dispatch/copy.py, proved by counts and checksums), photos kept in the store included, so the archive has
the same shape whichever store made it and restores onto either. On SQLite the database is copied with
SQLite's online backup API, which reads one consistent snapshot while
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

from dispatch import dialect
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


def _snapshot_postgres(url: str, target: Path) -> None:
    """Copy every row of the PostgreSQL store into the SQLite file ``target``, all read in one snapshot
    (a REPEATABLE READ transaction, so the tables agree with each other while the app keeps writing), each
    table proved by its count and checksum (dispatch/copy.py)."""
    from dispatch.copy import CopyError, copy_store
    from dispatch.store import StoreError, connect, init_db

    try:
        source = connect(url)
    except StoreError as e:
        raise BackupError(str(e))
    copy = init_db(target)
    try:
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        report = copy_store(source, copy)
        source.execute("ROLLBACK")
        different = [t.table for t in report if not t.same]
        if different:
            raise BackupError(f"the copy of {', '.join(different)} differs from the store; nothing was written")
        problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"the copy failed its integrity check ({problem}); nothing was written")
    except CopyError as e:
        raise BackupError(str(e))
    finally:
        copy.close()
        source.close()


def backup(location: Path | str, media_dir: Path, target: Path) -> Path:
    """Write the archive ``target`` (a folder gets a dated file inside) of the store at ``location`` (a SQLite
    file, or a PostgreSQL URL: its rows, photos kept in the store included, copied into the archive's SQLite
    file); returns its path."""
    if target.is_dir():
        target = target / archive_name(datetime.now())
    target.parent.mkdir(parents=True, exist_ok=True)
    on_postgres = dialect.is_url(str(location))
    if not on_postgres and not Path(location).exists():
        raise BackupError(f"{location}: no database to back up; check store.path")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        copy = Path(tmp) / DB_NAME
        if on_postgres:
            _snapshot_postgres(str(location), copy)
        else:
            _copy_database(Path(location), copy)
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


def server_running(location: Path | str, now_epoch: float | None = None) -> bool:
    """Whether a scheduler still renews its lease in this store (the server is up)."""
    if dialect.is_url(str(location)):
        from dispatch.store import StoreError, connect

        try:
            db = connect(str(location))
        except StoreError:
            return False
        try:
            row = db.execute("SELECT expires_at FROM kv WHERE key = ?", [LEASE_KEY]).fetchone()
        except Exception:  # noqa: BLE001 - a store without its tables yet has no server on it
            row = None
        finally:
            db.close()
    elif not Path(location).exists():
        return False
    else:
        conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT expires_at FROM kv WHERE key = ?", [LEASE_KEY]).fetchone()
        except sqlite3.Error:
            return False
        finally:
            conn.close()
    return bool(row and row[0] and row[0] > (now_epoch if now_epoch is not None else time.time()))


def restore(archive: Path, db_path: Path | str, media_dir: Path) -> int:
    """Replace the store with the archive's and put its photos back in ``media_dir``; returns the photo count.
    A PostgreSQL store (``db_path`` a URL) must be an empty database: the archive's rows are copied into it
    and proved by counts and checksums, as `sandan db copy` does.

    :raises BackupError: when the archive is not a whole Sandan backup (nothing is changed then), or the
        PostgreSQL database already holds rows.
    """
    if dialect.is_url(str(db_path)):
        return _restore_postgres(archive, str(db_path), media_dir)
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


def _restore_postgres(archive: Path, url: str, media_dir: Path) -> int:
    """Unpack the archive beside this process, then copy its database into the empty PostgreSQL store."""
    from dispatch.copy import CopyError, copy_store
    from dispatch.store import StoreError, connect, init_db

    with tempfile.TemporaryDirectory(prefix=".restore-") as tmp:
        unpacked = Path(tmp) / DB_NAME
        photos = restore(archive, unpacked, media_dir)
        try:
            source, target = connect(unpacked), init_db(url)
        except StoreError as e:
            raise BackupError(str(e))
        try:
            report = copy_store(source, target)
        except CopyError as e:
            raise BackupError(f"{e} (restore into a new, empty database: dropdb and createdb it first)")
        finally:
            source.close()
            target.close()
    different = [t.table for t in report if not t.same]
    if different:
        raise BackupError(f"the restored {', '.join(different)} differ from the backup; drop the database and "
                          "restore again")
    return photos


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``folder``; returns what was deleted."""
    archives = sorted(folder.glob(PATTERN), key=lambda p: p.name, reverse=True)
    gone = archives[keep:]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
