"""Time as the store keeps it: UTC ISO-8601 text, which sorts as it reads."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=256)   # one message writes its own time a dozen times (ticket, events, marks, outbox)
def iso(t: datetime) -> str:
    # isoformat, not strftime("%Y-%m-%dT%H:%M:%SZ"): the same text, a tenth of the work (a report writes ten)
    return t.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_iso(text: str) -> datetime:
    """The store's UTC text back to an aware datetime (fromisoformat: 50 times faster than strptime)."""
    t = datetime.fromisoformat(text)
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def local_text(text: str | None, tz: str) -> str | None:
    """'2026-11-23T09:30:00Z' → '2026-11-23 17:30' in the deployment's time zone."""
    if not text:
        return None
    return parse_iso(text).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")

