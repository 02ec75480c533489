"""Whole conversations through the real app, verify_dialog style: who says what, and the exact reply.

The clock is frozen at Wednesday 2 December 2026, 10:00 北京时间, so deadlines in replies are exact; a test
moves it with ``clock.tick``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from freezegun import freeze_time

from tests.conftest import API_KEY

START = "2026-12-02T02:00:00Z"     # Wednesday 10:00 in Asia/Shanghai


@pytest.fixture
def clock(app):
    with freeze_time(START) as frozen:
        yield frozen


@dataclass
class Talk:
    """People talking to the bot: 1:1 through /api/messages, in the riders' group through /api/groups/messages."""

    client: Any
    count: int = 0
    seen: dict[str, int] = field(default_factory=dict)

    def __call__(self, who: str, text: str = "", photo: bool = False) -> dict[str, Any]:
        """``who`` is a sender id, or 「群:name」 for a member of the group 蜂巢驿站."""
        self.count += 1
        body = {"text": text, "msg_id": f"t{self.count}", "photos": [f"http://img/{self.count}.jpg"] if photo else []}
        if who.startswith("群:"):
            name = who[2:]
            r = self.client.post("/api/groups/messages", json={**body, "group": "fengchao", "sender": name,
                                                                "name": name}, headers={"X-Api-Key": API_KEY})
        else:
            r = self.client.post("/api/messages", json={**body, "sender": who}, headers={"X-Api-Key": API_KEY})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def inbox(self, user: str) -> list[str]:
        """What was pushed to a user (``api:…`` or ``group:…``) since the last look."""
        r = self.client.get(f"/api/inbox?user={user}&after={self.seen.get(user, 0)}", headers={"X-Api-Key": API_KEY})
        messages = r.get_json()["messages"]
        if messages:
            self.seen[user] = messages[-1]["id"]
        return [m["body"] for m in messages]


@pytest.fixture
def talk(client, clock) -> Talk:
    return Talk(client)


PHOTO = "📷"   # in a dialogue, a photo sent on its own


def verify_dialog(talk: Talk, steps: list[tuple[str, str, str]]) -> None:
    """Each step: (who, what they send, the bot's exact reply). 📷 sends a photo alone, 「📷 words」 a photo then
    words in one message."""
    for who, says, expected in steps:
        photo = says.startswith(PHOTO)
        reply = talk(who, says.removeprefix(PHOTO).strip(), photo=photo)["reply"]
        assert reply == expected, f"{who} → {says}"
