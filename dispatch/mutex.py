"""Named locks shared by every process on the store: one scheduler leader, one WeChat token refresh at a time.

On PostgreSQL a lock is a session advisory lock on a connection of its own, so it is shared by every machine
and a process that dies (even by kill -9) gives it back the moment its connection drops. On SQLite, whose
processes share one machine, it is an flock on a file beside the database, which the kernel drops with the
process.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from dispatch import dialect


class Mutex:
    """One named lock; ``acquire(wait=False)`` tries once. Safe to share between a process's threads."""

    def __init__(self, location: str, name: str) -> None:
        self.location = location
        self.name = name
        self._guard = threading.Lock()
        self._held: Any = None        # the connection (PostgreSQL) or file descriptor (SQLite) that holds it

    @property
    def held(self) -> bool:
        return self._held is not None

    def acquire(self, wait: bool = True) -> bool:
        with self._guard:
            if self._held is not None:
                if self._alive():
                    return True
                self._drop()
            self._held = self._take(wait)
            return self._held is not None

    def release(self) -> None:
        with self._guard:
            self._drop()

    def _take(self, wait: bool) -> Any:
        if dialect.is_url(self.location):
            import psycopg

            conn = psycopg.connect(self.location, autocommit=True)
            sql = "SELECT pg_advisory_lock(hashtext(%s)), true" if wait else "SELECT pg_try_advisory_lock(hashtext(%s))"
            row = conn.execute(sql, [f"sandan:{self.name}"]).fetchone()
            if row and row[-1]:
                return conn
            conn.close()
            return None
        fd = os.open(f"{self.location}-{self.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def _alive(self) -> bool:
        if isinstance(self._held, int):
            return True
        try:
            self._held.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - a dropped connection no longer holds the lock
            return False

    def _drop(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if isinstance(held, int):
            os.close(held)           # closing the descriptor releases the flock
        else:
            try:
                held.close()         # the server releases a session's advisory locks when it ends
            except Exception:  # noqa: BLE001
                pass


@contextmanager
def holding(location: str, name: str) -> Iterator[None]:
    """Hold the named lock for the block, waiting for it."""
    mutex = Mutex(location, name)
    mutex.acquire(wait=True)
    try:
        yield
    finally:
        mutex.release()
