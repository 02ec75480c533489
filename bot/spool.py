"""Messages kept on disk while the store is too busy to take them within WeChat's 5 seconds.

A callback that waits longer than wechat.writer_wait_seconds for the store's writer answers at once
(wording.REPLY_AFTER_BUSY) and leaves the message here, one JSON file each; the worker's job hands each to
the conversation once the store is free and sends the reply as a push. A file is removed only after its
message was handled and its reply queued, and both are idempotent (the channel message id, the push's
dedup key), so a crash in between handles nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from bot.inbound import Inbound
from bot.services import Services, with_store
from dispatch import messages, outbox
from dispatch.store import transaction

log = logging.getLogger(__name__)


def folder(services: Services) -> Path:
    config = services.config
    return config.path(config.settings.store.spool_dir)


def keep(services: Services, inbound: Inbound) -> Path:
    """Write the message to the spool (atomically: a half-written file is never read)."""
    where = folder(services)
    where.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(f"{inbound.channel}:{inbound.msg_id}".encode()).hexdigest()
    data = asdict(inbound) | {"sent_at": inbound.sent_at.isoformat() if inbound.sent_at else None}
    tmp = where / f".{name}.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, where / f"{name}.json")
    log.warning("store busy: message %s from %s kept in the spool, answered after", inbound.msg_id,
                inbound.user_id)
    return where / f"{name}.json"


def _read(path: Path) -> Inbound:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["location"] = tuple(data["location"]) if data.get("location") else None
    data["sent_at"] = datetime.fromisoformat(data["sent_at"]) if data.get("sent_at") else None
    return Inbound(**data)


def drain(services: Services) -> int:
    """Handle the kept messages, oldest first; their replies go out as pushes. Returns how many."""
    from bot.conversation import handle

    def work(db, _config, now) -> int:
        done = 0
        for path in sorted(folder(services).glob("*.json"), key=lambda p: p.stat().st_mtime):
            inbound = _read(path)
            answered_before = messages.seen(db, inbound.channel, inbound.msg_id)   # WeChat's retry got through
            reply = handle(services, db, inbound, now)
            if reply.text and not answered_before:
                with transaction(db):
                    outbox.enqueue(db, inbound.user_id, reply.text, now, reply.ticket,
                                   f"late-reply:{inbound.channel}:{inbound.msg_id}")
            path.unlink()
            done += 1
        return done
    if not folder(services).is_dir():
        return 0
    return with_store(services, work)
