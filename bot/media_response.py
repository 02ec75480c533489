"""A stored photo, video or recording as an HTTP response, wherever dispatch/media.py keeps it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Response, abort, send_file

from dispatch import media


def stored_file(files: media.Files, stored: str | None, db: Any, max_age: int | None = None) -> Response:
    """The file a media row or a message's photo names, or 404. A file on this machine is sent from disk
    (a video player's range requests work); one in the store is sent from its bytes."""
    path = files.local_path(stored)
    if path is not None:
        return send_file(path, max_age=max_age)
    data = files.read(stored, db)
    if data is None or not stored:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=media.content_type(stored), download_name=Path(stored).name,
                     max_age=max_age)
