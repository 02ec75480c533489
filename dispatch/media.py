"""Stored evidence files: where a stored photo, video, thumbnail or recording may be read.

Photos, videos and recordings live in ``store.media_dir``; a path read from the database is served only
when it resolves inside that folder, so a row can never point a reader at another file on the machine.
"""

from __future__ import annotations

from pathlib import Path


def inside(folder: Path, stored: str | None) -> Path | None:
    """The stored file, if it exists inside the media folder; None otherwise."""
    if not stored:
        return None
    folder = folder.resolve()
    path = Path(stored)
    path = (path if path.is_absolute() else folder / path).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None
