"""Fresh PostgreSQL databases for the tests, cloned from one migrated template (about 40 ms each).

scripts/test.sh starts a throwaway cluster and sets SANDAN_TEST_PG_URL (its `postgres` database);
SANDAN_TEST_STORE=postgresql then puts every test's store there instead of in a SQLite file.
"""

from __future__ import annotations

import itertools
import os
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

ADMIN_URL = os.environ.get("SANDAN_TEST_PG_URL", "")
ON_POSTGRES = os.environ.get("SANDAN_TEST_STORE", "sqlite") == "postgresql"
TEMPLATE = f"sandan_template_{os.getpid()}"   # one per test run: two runs may share a cluster

_numbers = itertools.count(1)
_template_ready = False


def database_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin():
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True)


def _make_template() -> None:
    """Migrate the template once per test run (the cluster is new for every run)."""
    global _template_ready
    from dispatch.store import init_db

    with _admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {TEMPLATE}")
    init_db(database_url(TEMPLATE)).close()
    _template_ready = True


def fresh_database() -> Iterator[str]:
    """A new, migrated, empty database's URL; dropped (with any connection left open) afterwards."""
    if not ADMIN_URL:
        raise RuntimeError("SANDAN_TEST_PG_URL is not set: run the tests through scripts/test.sh")
    if not _template_ready:
        _make_template()
    name = f"t{os.getpid()}_{next(_numbers)}"
    with _admin() as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
    try:
        yield database_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
