"""Flask's signed-cookie sessions, with no work for a request that carries no session cookie and leaves the
session empty: every WeChat callback and API call. Flask otherwise builds an itsdangerous serializer to open
a session nobody reads and reads seven cookie settings to save one nobody wrote.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSessions(SecureCookieSessionInterface):
    """The same cookies, signed and read the same way; only the empty case is cheaper."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified and not session.accessed:
            return              # nothing to write, delete or vary on
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
