"""Stored evidence files (photos, videos, thumbnails, recordings): where they are kept and read back.

Two places, chosen by ``store.media``:

- ``local``, the SQLite default: files in ``store.media_dir`` on this machine. A media row keeps the file's
  path, and a path read from the database is served only when it resolves inside that folder, so a row can
  never point a reader at another file on the machine.
- ``database``, the PostgreSQL default: the bytes in the ``media_files`` table (bytea on PostgreSQL), keyed
  by a name such as ``wechat/MEDIA_1.jpg`` (``name_of``) that the media row keeps instead of a path. Every web
  machine and worker reads the same photo; nothing needs a shared disk. A file written before the switch is
  still read from the folder of the machine that has it.

A shared folder (NFS or the like) mounted as ``store.media_dir`` on every machine is ``local`` too.
"""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from dispatch import dialect
from dispatch.clock import iso, utcnow
from dispatch.store import connect, location, transaction
from settings import Config

LOCAL = "local"
DATABASE = "database"


def place(setting: str, location: str) -> str:
    """``store.media`` as set, or by default ``database`` on PostgreSQL and ``local`` on SQLite."""
    return setting or (DATABASE if dialect.is_url(location) else LOCAL)


def inside(folder: Path, stored: str | None) -> Path | None:
    """The stored file, if it exists inside the media folder; None otherwise."""
    if not stored:
        return None
    folder = folder.resolve()
    path = Path(stored)
    path = (path if path.is_absolute() else folder / path).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def name_of(stored: str) -> str:
    """A stored file's name wherever it is kept: its folder and file name (``chat/3f2a….png``,
    ``wechat/MEDIA_1.jpg``). A row written with a full path on one machine names the same file on another,
    and in the store, so a copied or moved deployment needs no row rewritten."""
    return "/".join(PurePosixPath(stored).parts[-2:])


def content_type(stored: str) -> str:
    """The file's type from its name (every stored file is named with its type's extension)."""
    return mimetypes.guess_type(stored)[0] or "application/octet-stream"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalFiles:
    """Files in ``store.media_dir``; a media row keeps the file's path."""

    kind = LOCAL

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def key(self, sub: str, name: str) -> str:
        """What a media row keeps for file ``name`` of the ``sub`` folder (chat, wechat)."""
        return str(self.folder / sub / name)

    def save(self, key: str, data: bytes, db: Any = None) -> str:
        """Write the file ``key`` names (a path, or a name inside the folder such as ``wechat/MEDIA_1.jpg``).

        :raises ValueError: the key points outside the media folder.
        """
        path = Path(key) if Path(key).is_absolute() else self.folder / key
        if Path(key).is_absolute() and not path.resolve().is_relative_to(self.folder.resolve()):
            path = self.folder / name_of(key)    # a path of another machine's folder: the same name in ours
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise ValueError(f"{key}: not inside the media folder {self.folder}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return key

    def read(self, stored: str | None, db: Any = None) -> bytes | None:
        path = self.local_path(stored)
        return path.read_bytes() if path else None

    def local_path(self, stored: str | None) -> Path | None:
        """The file on this machine, to be served with range requests (videos); None when it is not here."""
        return inside(self.folder, stored) or (inside(self.folder, name_of(stored)) if stored else None)

    @contextmanager
    def staging(self, sub: str) -> Iterator[Path]:
        """A folder to download into: files stay where they land."""
        folder = self.folder / sub
        folder.mkdir(parents=True, exist_ok=True)
        yield folder

    def keep(self, path: Path, sub: str, db: Any = None) -> str:
        """What a media row keeps for a file downloaded into ``staging(sub)``."""
        return str(path)


class DatabaseFiles:
    """Files in the store's ``media_files`` table; ``db`` is the caller's connection, or one opened here."""

    kind = DATABASE

    def __init__(self, location: str, folder: Path | None) -> None:
        """``folder``: the media folder to fall back on for files kept before the switch (None: the table only)."""
        self.location = location
        self.local = LocalFiles(folder) if folder is not None else None

    def key(self, sub: str, name: str) -> str:
        return f"{sub}/{name}"

    def save(self, key: str, data: bytes, db: Any = None) -> str:
        with self._db(db) as conn:
            put(conn, name_of(key), data)
        return key

    def read(self, stored: str | None, db: Any = None) -> bytes | None:
        if not stored:
            return None
        with self._db(db) as conn:
            row = conn.execute("SELECT content FROM media_files WHERE name = ?", [name_of(stored)]).fetchone()
        if row:
            return bytes(row[0])
        return self.local.read(stored) if self.local else None

    def local_path(self, stored: str | None) -> Path | None:
        return None

    @contextmanager
    def staging(self, sub: str) -> Iterator[Path]:
        """A temporary folder to download into, removed afterwards (``keep`` moved its files into the table)."""
        folder = Path(tempfile.mkdtemp(prefix=f"sandan-{sub}-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def keep(self, path: Path, sub: str, db: Any = None) -> str:
        return self.save(self.key(sub, path.name), path.read_bytes(), db)

    @contextmanager
    def _db(self, db: Any) -> Iterator[Any]:
        if db is not None:
            yield db
            return
        conn = connect(self.location)
        try:
            yield conn
        finally:
            conn.close()


Files = LocalFiles | DatabaseFiles


def files(setting: str, store: str, folder: Path) -> Files:
    """The media place for ``store.media``, the store's location and ``store.media_dir``."""
    if place(setting, store) == DATABASE:
        return DatabaseFiles(store, folder)
    return LocalFiles(folder)


def for_config(config: Config) -> Files:
    """The deployment's media place."""
    s = config.settings.store
    return files(s.media, location(config), config.path(s.media_dir))


def put(db: Any, name: str, data: bytes) -> None:
    """Store one file's bytes in ``media_files`` (replacing a file of the same name)."""
    with transaction(db):
        db.execute("INSERT INTO media_files (name, content, size, sha256, created_at) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET content = excluded.content, size = excluded.size, "
                   "sha256 = excluded.sha256", [name, data, len(data), sha256(data), iso(utcnow())])
