"""The dashboard's 代办 form: staff file for a resident who cannot (the elderly, a phone call, a visit), through the
same code path as the chat's 「代办 姓名 电话 地点 问题」 (bot/conversation/proxies.py). The phone is shown masked."""

from __future__ import annotations

import re

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for

import wording
from bot.conversation.proxies import file_for
from dispatch import proxies
from dispatch.clock import utcnow
from dispatch.store import transaction
from dispatch.users import ensure_user
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("proxies", __name__, url_prefix="/dashboard/proxy", template_folder="templates")

MOBILE = re.compile(r"^1\d{10}$")
MAX_TEXT = 500


@bp.get("")
@login_required
def form():
    config = get_services().config
    rows = [{**r, "phone": wording.mask_phones(r["resident_phone"]), "text": wording.mask_phones(r["text"]),
             "state_name": wording.STATE_NAMES.get(r["state"], r["state"])} for r in proxies.recent(get_db(), 50)]
    return render_template("proxy.html", rows=rows, tz=config.settings.dispatch.timezone)


@bp.post("")
@login_required
def file():
    name = request.form.get("name", "").strip()[:10]
    phone = re.sub(r"[\s-]", "", request.form.get("phone", ""))
    place, text = request.form.get("place", "").strip()[:60], request.form.get("text", "").strip()[:MAX_TEXT]
    if not (name and MOBILE.match(phone) and text):
        flash(wording.PROXY_FORM_HOW, "error")
        return redirect(url_for("proxies.form"))
    db, now = get_db(), utcnow()
    with transaction(db):
        filer = ensure_user(db, f"dashboard:{g.user}", now, wording.DASHBOARD_STAFF)
    filer = {**filer, "role": "admin"}
    reply = file_for(get_services(), db, filer, name, phone, f"{place} {text}".strip(), now)
    flash(reply.text, "ok")
    return redirect(url_for("proxies.form"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
