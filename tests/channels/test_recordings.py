"""Voice recordings made playable in a browser: converted by ffmpeg when installed, else kept as sent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import wording
from bot.channels.audio import playable

#: One second of AMR-NB (12.2 kbit/s frames, silent), the format WeChat sends voice in.
AMR = b"#!AMR\n" + (b"\x3c" + bytes(31)) * 50


def test_without_ffmpeg_the_recording_is_kept_as_sent_and_says_so(tmp_path: Path):
    path = tmp_path / "v.amr"
    path.write_bytes(AMR)
    assert playable(path, "no-such-ffmpeg") == (path, wording.RECORDING_AS_SENT.format(fmt="amr"))
    assert playable(path, "") == (path, wording.RECORDING_AS_SENT.format(fmt="amr"))


def test_a_playable_recording_is_kept_as_it_is(tmp_path: Path):
    path = tmp_path / "v.mp3"
    path.write_bytes(b"ID3")
    assert playable(path, "ffmpeg") == (path, "")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (apt-get install ffmpeg)")
def test_ffmpeg_turns_amr_into_wav(tmp_path: Path):
    path = tmp_path / "v.amr"
    path.write_bytes(AMR)
    out, note = playable(path, "ffmpeg")
    assert (out.suffix, note) == (".wav", "")
    data = out.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) > 8000   # a second of 8 kHz 16-bit audio


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (apt-get install ffmpeg)")
def test_a_broken_recording_is_kept_as_sent(tmp_path: Path):
    path = tmp_path / "v.amr"
    path.write_bytes(b"not audio at all")
    assert playable(path, "ffmpeg") == (path, wording.RECORDING_AS_SENT.format(fmt="amr"))
