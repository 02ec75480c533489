"""The stores every test here runs on: a SQLite file, and a fresh PostgreSQL database when one is available."""

from __future__ import annotations

import pytest

from dispatch.store import init_db
from tests import postgres_store

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not postgres_store.ADMIN_URL, reason="no PostgreSQL: run through scripts/test.sh or set SANDAN_TEST_PG_URL"))]


@pytest.fixture(params=STORES)
def store(request, tmp_path) -> str:
    """The location of an empty, migrated store of each kind."""
    if request.param == "postgresql":
        databases = postgres_store.fresh_database()
        location = next(databases)
        request.addfinalizer(lambda: next(databases, None))
    else:
        location = str(tmp_path / "sandan.db")
    db = init_db(location)
    db.close()
    return location
