"""The public board (/board, no login): each community's quarter in the open — the grids' and the 物业
companies' 红蓝黄 with 办结率, 按时办结率 and 满意率, and an anonymised list of reports, also as JSON and RSS.

Nothing here names or locates a person: dispatch/board.py hands over only category, place name, state and dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request, url_for

import wording
from dispatch import board, stats
from dispatch.clock import parse_iso, utcnow
from settings import Config
from web import get_db, get_services

bp = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")


def _quarter(config: Config) -> tuple[datetime, datetime, str]:
    return stats.quarter_of(utcnow(), config.settings.dispatch.timezone)


def _day(text: str | None, tz: str) -> str:
    return parse_iso(text).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d") if text else ""


def _name(unit: Any) -> str:
    return unit.name if unit is not None else ""


def _public_rows(config: Config, community_id: str | None, grid_id: str | None) -> list[dict[str, Any]]:
    """The list's rows as the page, the JSON and the RSS show them."""
    start, end, _ = _quarter(config)
    d, tz = config.deployment, config.settings.dispatch.timezone
    rows = board.reports(get_db(), config, start, end, community_id, grid_id)
    return [{"id": r["id"], "category": r["category"], "place": r["place"] or wording.PLACE_NOT_SHOWN,
             "community": _name(d.community(r["community_id"])), "grid": _name(d.grid(r["grid_id"])),
             "state": wording.STATE_NAMES.get(r["state"], r["state"]),
             "reported": _day(r["created_at"], tz), "resolved": _day(r["resolved_at"], tz)} for r in rows]


def _community_or_404(config: Config, community_id: str | None) -> str | None:
    if community_id and config.deployment.community(community_id) is None:
        abort(404, wording.BOARD_NO_COMMUNITY)
    return community_id


@bp.get("/")
def overview():
    config = get_services().config
    start, end, label = _quarter(config)
    db = get_db()
    return render_template("board.html", label=label, communities=config.deployment.communities,
                           grids=stats.grid_ratings(db, config, start, end, utcnow()),
                           companies=board.company_ratings(db, config, start, end, utcnow()),
                           community=None, rows=None,
                           method_text=wording.board_method(config.settings.rating))


@bp.get("/<community_id>")
def community_page(community_id: str):
    config = get_services().config
    _community_or_404(config, community_id)
    grid_id = request.args.get("grid") or None
    start, end, label = _quarter(config)
    db = get_db()
    return render_template("board.html", label=label, communities=[config.deployment.community(community_id)],
                           grids=stats.grid_ratings(db, config, start, end, utcnow()),
                           companies=board.company_ratings(db, config, start, end, utcnow()),
                           community=config.deployment.community(community_id), grid_id=grid_id,
                           rows=_public_rows(config, community_id, grid_id),
                           method_text=wording.board_method(config.settings.rating))


@bp.get("/feed.json")
def feed_json():
    config = get_services().config
    community_id = _community_or_404(config, request.args.get("community") or None)
    _, _, label = _quarter(config)
    return jsonify({"quarter": label, "reports": _public_rows(config, community_id, request.args.get("grid") or None)})


@bp.get("/feed.rss")
def feed_rss():
    config = get_services().config
    community_id = _community_or_404(config, request.args.get("community") or None)
    rows = _public_rows(config, community_id, request.args.get("grid") or None)
    body = render_template("board.rss.xml", rows=rows, link=url_for("board.overview", _external=True),
                           district=config.deployment.district)
    return Response(body, mimetype="application/rss+xml")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
