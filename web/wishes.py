"""The dashboard's 心愿 page: the wishes of every community (微心愿), newest first, and 撤下 for staff."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

import wording
from dispatch import wishes
from dispatch.clock import utcnow
from dispatch.users import get_user
from dispatch.volunteers import name_of
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("wishes", __name__, url_prefix="/dashboard/wishes", template_folder="templates")


@bp.get("")
@login_required
def index():
    config, db = get_services().config, get_db()
    state = request.args.get("state", "")
    community = request.args.get("community", "")
    rows = []
    for w in wishes.listing(db, community or None, state or None):
        volunteer = name_of(get_user(db, w["claimed_by"])) if w["claimed_by"] else ""
        rows.append({**w, "text": wording.mask_phones(w["text"]), "volunteer": volunteer,
                     "community_name": (c.name if (c := config.deployment.community(w["community_id"])) else ""),
                     "state_name": wording.wish_state_text(w, volunteer)})
    return render_template("wishes.html", rows=rows, states=wording.WISH_STATES, state=state,
                           communities=config.deployment.communities, community=community,
                           tz=config.settings.dispatch.timezone)


@bp.post("/<int:wish_id>/withdraw")
@login_required
def withdraw(wish_id: int):
    user = {"id": f"dashboard:{g.user}", "role": "admin", "display_name": wording.DASHBOARD_STAFF}
    try:
        wishes.withdraw(get_db(), wish_id, user, request.form.get("reason", "").strip()[:200], utcnow())
    except wishes.WishNotFound:
        abort(404)
    except wishes.WrongWishState as e:
        flash(wording.wish_wrong_state(wish_id, e.state), "error")
    else:
        flash(wording.wish_withdrawn_reply(wish_id), "ok")
    return redirect(url_for("wishes.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
