"""Volunteers bound by invite in the demo deployment's 龙西 community."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch import invites
from dispatch.clock import utcnow
from tests.conftest import API_KEY

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def volunteer_code(db, services):
    """A fresh volunteer invite for a community, as `sandan invite --role volunteer` prints."""
    def make(name: str, community: str = "longxi") -> str:
        code = invites.create(db, services.config, "volunteer", utcnow(), community_id=community, display_name=name)
        db.conn.commit()
        return code
    return make


def say_at_once(app, lines: list[tuple[str, str]]) -> dict[int, str]:
    """Each (sender, text) posted at the same moment from its own thread and client (each request has its own
    store connection, as in production); returns the replies by position."""
    barrier = threading.Barrier(len(lines))
    replies: dict[int, str] = {}

    def say(i: int, sender: str, text: str) -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/messages", json={"sender": sender, "text": text, "msg_id": f"at-once-{i}"},
                        headers={"X-Api-Key": API_KEY})
        replies[i] = r.get_json()["reply"]

    threads = [threading.Thread(target=say, args=(i, *line)) for i, line in enumerate(lines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return replies
