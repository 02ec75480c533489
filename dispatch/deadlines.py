"""限时办结: remind the handler at configured fractions of the deadline, escalate (督办) on breach.

Deadlines live in the tickets table, so a restart simply scans again; every notice has a dedup key,
so a scan that runs twice never sends twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

import wording
from dispatch import outbox
from dispatch.clock import iso, local_text, parse_iso
from dispatch.states import WORKING_STATES, State
from dispatch.store import transaction
from dispatch.tickets import add_event, dispatcher_ids, handler_ids
from dispatch.users import staff_ids
from settings import Config

_WORKING = tuple(s.value for s in WORKING_STATES)


def scan(db: Database, config: Config, now: datetime) -> dict[str, int]:
    """One pass over open tickets; returns counts of reminders and escalations sent."""
    fractions = sorted(config.settings.dispatch.remind_at)
    tz = config.settings.dispatch.timezone
    counts = {"reminded": 0, "escalated": 0}
    placeholders = ", ".join("?" * len(_WORKING))
    rows = list(db.query(
        f"SELECT * FROM tickets WHERE state IN ({placeholders}) AND deadline_at IS NOT NULL "
        "AND (reminders_sent < ? OR deadline_at <= ?)", [*_WORKING, len(fractions), iso(now)]))
    for t in rows:
        created, deadline = parse_iso(t["created_at"]), parse_iso(t["deadline_at"])
        if t["state"] == State.REOPENED.value or t["escalation_level"]:
            created = parse_iso(t["updated_at"]) if deadline > parse_iso(t["updated_at"]) else created
        span = (deadline - created).total_seconds() or 1
        elapsed = (now - created).total_seconds() / span
        due = sum(1 for f in fractions if elapsed >= f)
        with transaction(db):
            if now >= deadline and t["escalation_level"] < 2:
                _escalate(db, config, t, now)
                counts["escalated"] += 1
            elif due > t["reminders_sent"] and now < deadline:
                people = [t["claimed_by"]] if t["claimed_by"] else handler_ids(db, t)
                body = (f"【提醒】工单 #{t['id']} 将于 {wording.deadline_text(local_text(t['deadline_at'], tz))} "
                        f"到期，请抓紧办理。")
                for person in people:
                    outbox.enqueue(db, person, body, now, t["id"], f"remind{due}:{t['id']}:{t['deadline_at']}:{person}")
                db.execute("UPDATE tickets SET reminders_sent = ? WHERE id = ?", [due, t["id"]])
                add_event(db, t["id"], "system", "reminded", now, f"第 {due} 次提醒")
                counts["reminded"] += 1
    return counts


def _escalate(db: Database, config: Config, t: dict, now: datetime) -> None:
    """First breach goes to the community dispatcher (督办); a second, a day later, to the leaders."""
    level = t["escalation_level"] + 1
    handler = config.deployment.handler_name(t["grid_id"], t["department_id"])
    body = f"【督办】工单 #{t['id']}（{handler}）已超期未办结：{t['text'][:40]}"
    people = dispatcher_ids(db, t["community_id"]) if level == 1 else staff_ids(db, "leader")
    if t["escalation_level"] >= 1 and (now - parse_iso(t["updated_at"])).total_seconds() < 86400:
        return
    for person in people + ([t["claimed_by"]] if t["claimed_by"] else handler_ids(db, t)):
        outbox.enqueue(db, person, body, now, t["id"], f"escalate{level}:{t['id']}:{t['deadline_at']}:{person}")
    state = State.ESCALATED.value
    db.execute("UPDATE tickets SET state = ?, escalation_level = ?, updated_at = ? WHERE id = ?",
               [state, level, iso(now), t["id"]])
    add_event(db, t["id"], "system", "escalated", now, "超期督办" if level == 1 else "超期，上报领导", t["state"], state)
