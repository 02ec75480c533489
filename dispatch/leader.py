"""One scheduler leader among any number of candidates, elected through the store.

The leader holds the ``scheduler`` lock of dispatch/mutex.py (a PostgreSQL advisory lock, or an flock beside
the SQLite file) and the lease row of dispatch/lease.py, which says who leads and until when. The lock is
given back the moment the leader stops or dies, so a candidate takes over at its next job instead of
waiting out the lease; a row left by a dead leader is replaced by whoever gets the lock. A leader that
stalls past its lease is still replaced by the lease, as before.

Each change of lead is logged (``scheduler lead taken by H`` / ``given up by H``, the latter before the lock
goes), so the logs of all candidates together show who led when: bench/multinode.py checks from them that
exactly one led at any moment.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

from dispatch import lease
from dispatch.mutex import Mutex
from dispatch.store import transaction

log = logging.getLogger(__name__)


class Leader:
    """This process's candidacy. ``hold`` before each job; ``release`` when the scheduler stops."""

    def __init__(self, location: str, ttl: float, holder: str | None = None) -> None:
        self.mutex = Mutex(location, "scheduler")
        self.holder = holder or lease.new_holder()
        self.ttl = ttl
        self.leading = False

    def hold(self, db: Database, now: float) -> bool:
        """True while this process leads; ``now`` is epoch seconds."""
        if lease.hold(db, self.holder, now, self.ttl):
            self.mutex.acquire(wait=False)   # kept while leading: a candidate that gets it knows we are gone
            return self._leads(True)
        if self.mutex.held:                  # another took the lease we stopped renewing: stand down
            self._leads(False)
            self.mutex.release()
            return False
        if not self.mutex.acquire(wait=False):
            return False                     # the leader is alive
        with transaction(db):   # the row names a leader that no longer holds the lock: it stopped or died
            db.execute("DELETE FROM kv WHERE key = ? AND value != ?", [lease.KEY, self.holder])
        return self._leads(lease.hold(db, self.holder, now, self.ttl))

    def release(self, db: Database) -> None:
        self._leads(False)
        lease.release(db, self.holder)
        self.mutex.release()

    def _leads(self, leading: bool) -> bool:
        if leading != self.leading:
            log.warning("scheduler lead %s by %s", "taken" if leading else "given up", self.holder)
            self.leading = leading
        return leading
