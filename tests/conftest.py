"""Shared fixtures: one NLU engine per test session, a fresh database per test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.services import Services, build_services
from dispatch.store import connect
from dispatch.users import seed_staff
from tests import postgres_store

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "test-api-key"


@pytest.fixture(scope="session")
def base_services() -> Services:
    """Services for the shipped demo deployment (built once: jieba and the model take a second)."""
    return build_services(ROOT / "config.yaml")


@pytest.fixture
def store_url(tmp_path: Path):
    """This test's store: a SQLite file in its temporary folder, or with SANDAN_TEST_STORE=postgresql a fresh
    PostgreSQL database (see tests/postgres_store.py)."""
    if postgres_store.ON_POSTGRES:
        yield from postgres_store.fresh_database()
    else:
        yield ""


@pytest.fixture
def services(base_services: Services, tmp_path: Path, store_url: str) -> Services:
    """The demo deployment with its store in a temporary folder (or a fresh PostgreSQL database)."""
    settings = base_services.config.settings.model_copy(update={
        "store": base_services.config.settings.store.model_copy(
            update={"url": store_url, "path": str(tmp_path / "sandan.db"), "media_dir": str(tmp_path / "media")}),
        "web": base_services.config.settings.web.model_copy(update={"api_key": API_KEY}),
    })
    config = base_services.config.model_copy(update={"settings": settings})
    return Services(config, base_services.engine, base_services.knowledge)


def build_app(services: Services):
    """A test app on the services' store, with the deployment's staff bound."""
    app = create_app(services=services)
    app.config["TESTING"] = True
    db = connect(app.config["SANDAN_DB_PATH"])
    seed_staff(db, services.config.deployment, datetime.now(timezone.utc))
    db.close()
    return app


@pytest.fixture
def app(services: Services):
    return build_app(services)


@pytest.fixture
def db(app):
    conn = connect(app.config["SANDAN_DB_PATH"])
    yield conn
    conn.close()


@pytest.fixture
def client(app):
    return app.test_client()


class Chat:
    """Talk to the bot as different people through the JSON API, and read what was pushed to them."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: dict[str, int] = {}
        self.counter = 0

    def say(self, sender: str, text: str = "", **extra: Any) -> str:
        self.counter += 1
        body = {"sender": sender, "text": text, "msg_id": extra.pop("msg_id", f"m{self.counter}"), **extra}
        r = self.client.post("/api/messages", json=body, headers={"X-Api-Key": API_KEY})
        assert r.status_code == 200, r.get_json()
        return r.get_json()["reply"]

    def pushed(self, user: str) -> list[str]:
        """New pushes to a user since the last look."""
        r = self.client.get(f"/api/inbox?user=api:{user}&after={self.seen.get(user, 0)}",
                            headers={"X-Api-Key": API_KEY})
        messages = r.get_json()["messages"]
        if messages:
            self.seen[user] = messages[-1]["id"]
        return [m["body"] for m in messages]


@pytest.fixture
def chat(client) -> Chat:
    return Chat(client)


@pytest.fixture
def later():
    """A clock n hours from now, for scans that look at deadlines."""
    return lambda hours: datetime.now(timezone.utc) + timedelta(hours=hours)
