"""Stored evidence files: which a ticket's videos show as thumbnails, and where a stored file may be read.

Photos, videos and recordings live in ``store.media_dir``; a path read from the database is served only
when it resolves inside that folder, so a row can never point a reader at another file on the machine.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database


def video_thumbnails(db: Database, ticket_id: int) -> list[int]:
    """The media rows of a report's videos whose thumbnail is downloaded, oldest first."""
    return [r[0] for r in db.execute(
        "SELECT id FROM media WHERE ticket_id = ? AND kind = 'video' AND purpose = 'report' "
        "AND thumb_path IS NOT NULL AND thumb_path != '' ORDER BY id", [ticket_id]).fetchall()]


def inside(folder: Path, stored: str | None) -> Path | None:
    """The stored file, if it exists inside the media folder; None otherwise."""
    if not stored:
        return None
    folder = folder.resolve()
    path = Path(stored)
    path = (path if path.is_absolute() else folder / path).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None
