"""Dashboard login: users with werkzeug password hashes, a server-side session, and a CSRF token on every POST.

Wrong passwords are counted per name and per address (dispatch/throttle.py): after ``limits.free_failures``
the name (or address) is locked out, twice as long at each further failure, and every attempt is logged
(name, address, outcome; never the password). The session cookie carries only a session id that
dispatch/web_sessions.py keeps in the store, so 退出 ends it on the server.

The admin account comes from config (web.admin_user / web.admin_password, or SANDAN_ADMIN_PASSWORD);
its hash is stored on the admin's first login (hashing costs about half a second, so it is not done at
every start). An empty password leaves the dashboard with no admin (nobody can log in).
"""

from __future__ import annotations

import functools
import hmac
import logging
import re
import secrets
import time
from typing import Any, Callable

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

import wording
from dispatch import accounts, throttle, web_sessions
from dispatch.clock import utcnow
from settings import LimitSettings
from web import get_db, get_services

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/dashboard", template_folder="templates")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    given = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, wording.FORM_EXPIRED)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = web_sessions.user_of(get_db(), session.get("sid"), time.time())
        if not user or user != session.get("user"):
            session.clear()
            if request.accept_mimetypes.best == "application/json":
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.user = user
        if request.method == "POST":
            check_csrf()
        return view(*args, **kwargs)
    return wrapped


#: Browsers drop tabs and newlines from a URL and read a backslash as a slash: "/\t/evil.example" is
#: "//evil.example". A path with any of them is refused rather than cleaned.
_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not _UNSAFE_IN_PATH.search(target):
        return target
    return url_for("dashboard.index")


def _limits() -> LimitSettings:
    return get_services().config.settings.limits


def _throttle_keys(username: str) -> tuple[str, str]:
    return f"login:{username[:64]}", f"login-from:{request.remote_addr or '-'}"


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        check_csrf()
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        db, now, where = get_db(), time.time(), request.remote_addr or "-"
        keys = _throttle_keys(username)
        locked = max(throttle.locked_for(db, key, now) for key in keys)
        if locked:
            log.warning("dashboard login refused for %r from %s: locked for %.0f s more", username[:64], where,
                        locked)
            return render_template("login.html", error=wording.login_locked(locked)), 429
        stored = accounts.password_hash(db, username)
        if (stored and check_password_hash(stored, password)) or _configured_admin(username, password):
            for key in keys:
                throttle.succeeded(db, key)
            log.info("dashboard login for %r from %s", username, where)
            session.clear()
            session["user"] = username
            session["sid"] = web_sessions.start(db, username, now, _limits().session_hours * 3600)
            csrf_token()
            return redirect(_safe_next(request.args.get("next")))
        failures, lock = throttle.failed(db, keys[0], now, _limits())
        throttle.failed(db, keys[1], now, _limits().model_copy(
            update={"free_failures": _limits().free_failures * ADDRESS_FACTOR}))
        log.warning("dashboard login failed for %r from %s (%d in a row%s)", username[:64], where, failures,
                    f"; locked for {lock:.0f} s" if lock else "")
        error = wording.login_locked(lock) if lock else wording.LOGIN_FAILED
    return render_template("login.html", error=error), 401 if error else 200


#: An address (one office behind one NAT, or one attacker trying many names) may fail this many times more
#: often than a single name before it is locked.
ADDRESS_FACTOR = 4


@bp.post("/logout")
def logout():
    check_csrf()
    web_sessions.end(get_db(), session.get("sid"))
    log.info("dashboard logout for %r", session.get("user"))
    session.clear()
    return redirect(url_for("auth.login"))


def _configured_admin(username: str, password: str) -> bool:
    """The admin from config logs in with the configured password; its hash is then stored (or replaced,
    when the password in config changed)."""
    web = current_app.config["SANDAN_SERVICES"].config.settings.web
    if not (web.admin_password and hmac.compare_digest(username.encode(), web.admin_user.encode())
            and hmac.compare_digest(password.encode(), web.admin_password.encode())):
        return False
    accounts.set_password(get_db(), web.admin_user, generate_password_hash(password), "admin", utcnow())
    return True


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.register_blueprint(bp)
