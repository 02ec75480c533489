"""Dashboard login: users with werkzeug password hashes, a session cookie, and a CSRF token on every POST.

The admin account comes from config (web.admin_user / web.admin_password, or SANDAN_ADMIN_PASSWORD);
its hash is stored on the admin's first login (hashing costs about half a second, so it is not done at
every start). An empty password leaves the dashboard with no admin (nobody can log in).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from typing import Any, Callable

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

import wording
from dispatch import accounts
from dispatch.clock import utcnow
from web import get_db

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
        if not session.get("user"):
            if request.accept_mimetypes.best == "application/json":
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.user = session["user"]
        if request.method == "POST":
            check_csrf()
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        check_csrf()
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        stored = accounts.password_hash(get_db(), username)
        if (stored and check_password_hash(stored, password)) or _configured_admin(username, password):
            session.clear()
            session["user"] = username
            csrf_token()
            return redirect(_safe_next(request.args.get("next")))
        error = "用户名或密码不对"
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    check_csrf()
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
