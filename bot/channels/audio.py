"""Voice recordings made playable in a browser: WeChat sends AMR (or Speex), which no browser plays.

Debian's ffmpeg decodes both; the copy is WAV, which every browser plays without extra codecs. Without
ffmpeg the recording is kept as sent, and the note says so, so the dashboard offers it as a download.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import wording

log = logging.getLogger(__name__)

#: What browsers play as they are; anything else is converted.
PLAYABLE = (".mp3", ".m4a", ".wav", ".ogg")
CONVERT_SECONDS = 60


def playable(path: Path, ffmpeg: str) -> tuple[Path, str]:
    """A browser-playable copy of a recording and a note for the dashboard ("" when it plays as it is)."""
    if path.suffix in PLAYABLE:
        return path, ""
    tool = shutil.which(ffmpeg) if ffmpeg else None
    if tool is None:
        return path, wording.RECORDING_AS_SENT.format(fmt=path.suffix.lstrip("."))
    out = path.with_suffix(".wav")
    try:
        subprocess.run([tool, "-nostdin", "-loglevel", "error", "-y", "-i", str(path), str(out)],
                       check=True, capture_output=True, timeout=CONVERT_SECONDS)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        log.warning("recording %s: ffmpeg could not convert it: %s", path.name, getattr(e, "stderr", e))
        return path, wording.RECORDING_AS_SENT.format(fmt=path.suffix.lstrip("."))
    return out, ""
