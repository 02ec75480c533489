"""Dashboard helpers: log in through the form (CSRF token included), and a ticket in the review queue."""

from __future__ import annotations

import re

import pytest

from dispatch import tickets
from dispatch.clock import utcnow
from dispatch.states import State

ADMIN = ("admin", "sandan-demo")   # config.yaml's demo admin


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Dashboard:
    def __init__(self, client) -> None:
        self.client = client
        self.token = ""

    def login(self, user: str = ADMIN[0], password: str = ADMIN[1], **query: str):
        self.token = form_token(self.client.get("/dashboard/login").get_data(as_text=True))
        r = self.client.post("/dashboard/login", query_string=query,
                             data={"username": user, "password": password, "csrf_token": self.token})
        if r.status_code == 302:   # a login starts a fresh session with a fresh token
            self.token = form_token(self.page("/dashboard/queue"))
        return r

    def page(self, path: str) -> str:
        r = self.client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return r.get_data(as_text=True)

    def post(self, path: str, **data: str):
        return self.client.post(path, data={"csrf_token": self.token, **data})


@pytest.fixture
def anonymous(client) -> Dashboard:
    return Dashboard(client)


@pytest.fixture
def dash(anonymous) -> Dashboard:
    assert anonymous.login().status_code == 302
    return anonymous


@pytest.fixture
def queued(chat, db):
    """Report through the chat, then send it back to review: the queue's contents."""
    def make(sender: str, text: str) -> int:
        chat.say(sender, text)
        ticket = tickets.reporter_tickets(db, f"api:{sender}")[0][0]
        tickets.move(db, ticket, State.RECEIVED, "api:dispatcher-longxi", "退回审核", utcnow())
        return ticket["id"]
    return make
