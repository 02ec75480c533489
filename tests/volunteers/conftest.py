"""Volunteers bound by invite in the demo deployment's 龙西 community."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch import invites
from dispatch.clock import utcnow

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def volunteer_code(db, services):
    """A fresh volunteer invite for a community, as `sandan invite --role volunteer` prints."""
    def make(name: str, community: str = "longxi") -> str:
        code = invites.create(db, services.config, "volunteer", utcnow(), community_id=community, display_name=name)
        db.conn.commit()
        return code
    return make
