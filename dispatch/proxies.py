"""帮办代办: staff file for a resident who cannot (the elderly, a phone call, a visit).

The filer is the ticket's reporter at first, so they hear of every step and can phone the resident; the
ticket keeps the resident's name and phone (shown masked) and a one-time code the filer hands over. When the
resident sends 「绑定 CODE」 the ticket becomes theirs: from then on they are told of each step and asked to rate.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import outbox, tickets
from dispatch.clock import iso
from dispatch.invites import ALPHABET, CODE_LENGTH, InviteError
from dispatch.routing import Route
from dispatch.store import transaction
from nlu.types import Parse
from settings import Config


def file(db: Database, config: Config, filer: dict[str, Any], name: str, phone: str, parse: Parse, route: Route,
         now: datetime, message_id: int | None = None) -> tuple[dict[str, Any], str]:
    """File the resident's problem; returns the ticket and the code that links the resident."""
    with transaction(db):
        ticket = tickets.create_ticket(db, config, filer["id"], parse, route, now, message_id=message_id).ticket
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            taken = db.execute("SELECT 1 FROM invites WHERE code = ? UNION SELECT 1 FROM proxy_filings WHERE code = ?",
                               [code, code]).fetchone()
            if not taken:
                break
        db.execute("INSERT INTO proxy_filings (ticket_id, filed_by, resident_name, resident_phone, code, filed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [ticket["id"], filer["id"], name, phone, code, iso(now)])
        tickets.add_event(db, ticket["id"], filer["id"], "proxy_filed", now,
                          wording.mask_phones(f"代{name}（{phone}）登记"))
    return ticket, code


def recent(db: Database, limit: int) -> list[dict[str, Any]]:
    """The latest filings with their tickets' state and words, for the dashboard's 代办 page."""
    return list(db.query("SELECT p.*, t.state, t.text FROM proxy_filings p JOIN tickets t ON t.id = p.ticket_id "
                         "ORDER BY p.ticket_id DESC LIMIT ?", [limit]))


def filing(db: Database, ticket_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM proxy_filings WHERE ticket_id = ?", [ticket_id]))
    return rows[0] if rows else None


def link(db: Database, user_id: str, code: str, now: datetime) -> dict[str, Any] | None:
    """「绑定 CODE」 with a 代办 code: the ticket becomes the resident's; the filer is told. None: not such a code.

    :raises InviteError: ("used") the code linked someone already.
    """
    code = code.strip().upper()
    with transaction(db):
        changed = db.execute("UPDATE proxy_filings SET linked_user = ?, linked_at = ? WHERE code = ? "
                             "AND linked_user IS NULL", [user_id, iso(now), code]).rowcount
        if not changed:
            if db.execute("SELECT 1 FROM proxy_filings WHERE code = ?", [code]).fetchone():
                raise InviteError("used")
            return None
        row = list(db.query("SELECT * FROM proxy_filings WHERE code = ?", [code]))[0]
        db.execute("UPDATE tickets SET reporter = ? WHERE id = ?", [user_id, row["ticket_id"]])
        tickets.add_event(db, row["ticket_id"], user_id, "proxy_linked", now, f"{row['resident_name']}已绑定")
        outbox.enqueue(db, row["filed_by"], wording.proxy_linked_push(row["ticket_id"], row["resident_name"]), now,
                       row["ticket_id"], f"proxy-linked:{row['ticket_id']}")
    return row


def listing(db: Database, community_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The 代办 tickets, newest first: who filed for whom (the phone as stored; mask it where shown), the ticket's
    state and place, and whether the resident has linked."""
    sql = ("SELECT f.ticket_id, f.filed_at, f.resident_name, f.resident_phone, f.linked_at, f.filed_by, "
           "u.display_name AS filer_name, u.role AS filer_role, t.state, t.category, t.place, t.building, "
           "t.location_label, t.lat, t.lon, t.community_id FROM proxy_filings f "
           "JOIN tickets t ON t.id = f.ticket_id LEFT JOIN users u ON u.id = f.filed_by")
    params: list[Any] = []
    if community_id:
        sql += " WHERE t.community_id = ?"
        params.append(community_id)
    return list(db.query(sql + " ORDER BY f.filed_at DESC, f.ticket_id DESC LIMIT ?", [*params, limit]))
