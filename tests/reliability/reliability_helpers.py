"""Helpers for the reliability tests: raw posts to the JSON API, and row counts that show
nothing was half-written."""

from __future__ import annotations

from typing import Any


def counts(db) -> dict[str, int]:
    """Rows in the tables a message can write to."""
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]   # table names are ours
            for t in ("messages", "tickets", "ticket_events", "outbox")}


class Api:
    """The JSON API as a client sees it: status code and JSON body, for any bytes we care to send."""

    def __init__(self, client, key: str) -> None:
        self.client, self.key = client, key

    def post(self, data: bytes | str | None = None, json: Any = None, key: str | None = "",
             content_type: str = "application/json") -> tuple[int, dict[str, Any] | None]:
        """Post to /api/messages; key "" means the right key, None means no header at all."""
        key = self.key if key == "" else key
        headers = {"X-Api-Key": key} if key is not None else {}
        if json is not None:
            r = self.client.post("/api/messages", json=json, headers=headers)
        else:
            r = self.client.post("/api/messages", data=data, headers=headers, content_type=content_type)
        return r.status_code, r.get_json(silent=True)
