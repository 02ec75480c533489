"""Dashboard logins: the store keeps only werkzeug password hashes, never passwords."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from dispatch.clock import iso


def password_hash(db: Database, username: str) -> str | None:
    row = db.execute("SELECT password_hash FROM dashboard_users WHERE username = ?", [username]).fetchone()
    return row[0] if row else None


def set_password(db: Database, username: str, hashed: str, role: str, now: datetime) -> None:
    db.execute("INSERT INTO dashboard_users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role",
               [username, hashed, role, iso(now)])
    db.conn.commit()
