"""The people around the tickets, on the dashboard: the volunteer roster (filters, stars, the 民主评议 export),
the rider teams' standings, and the 代办 tickets (who filed for whom, the phone masked)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, render_template, request

import wording
from dispatch import points, proxies, roster, sheets, teams
from dispatch.clock import utcnow
from settings import Config
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("people", __name__, url_prefix="/dashboard")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _config() -> Config:
    return get_services().config


def _filter() -> roster.Filter:
    args = request.args
    stars = args.get("stars", "")
    return roster.Filter(community=args.get("community", "")[:64], skill=args.get("skill", "")[:40],
                         free_time=args.get("free_time", "")[:40],
                         min_stars=int(stars) if stars.isdigit() and len(stars) == 1 else 0)


@bp.get("/volunteers")
@login_required
def volunteers():
    config, db = _config(), get_db()
    points.sync(db, config, utcnow())
    people = roster.rows(db, config, _filter())
    communities = {c.id: c.name for c in config.deployment.communities}
    for p in people:
        p["community"] = communities.get(p["community_id"] or "", "")
        p["stars_text"] = wording.stars_text(p["stars"])
        p["ratings_text"] = wording.ratings_text(p["ratings"])
    args = {k: v for k, v in request.args.items() if k in ("community", "skill", "free_time", "stars") and v}
    return render_template("volunteers.html", people=people, communities=communities, args=args,
                           levels=config.settings.volunteers.stars)


@bp.get("/volunteers/export.<fmt>")
@login_required
def volunteers_export(fmt: str):
    """The 民主评议 table of the roster as filtered: CSV or XLSX."""
    config, db = _config(), get_db()
    points.sync(db, config, utcnow())
    rows = roster.export_rows(db, config, _filter())
    headers = wording.ROSTER_HEADERS.values()
    if fmt == "csv":
        return Response(sheets.csv_text(headers, rows), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=volunteers.csv"})
    if fmt == "xlsx":
        return Response(sheets.xlsx_bytes("志愿者", headers, rows), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=volunteers.xlsx"})
    return Response(status=404)


@bp.get("/teams")
@login_required
def team_standings():
    config, db, now = _config(), get_db(), utcnow()
    points.sync(db, config, now)
    start, end = points.week_of(now, config.settings.dispatch.timezone)
    rows: list[dict[str, Any]] = teams.standings(db, config.deployment, start, end)
    communities = {c.id: c.name for c in config.deployment.communities}
    for r in rows:
        r["community_name"] = communities.get(r["community"] or "", "")
        r["people"] = [{**m, "label": wording.person_label(m["display_name"])}
                       for m in teams.members(db, r["id"], start, end)]
    return render_template("teams.html", teams=rows, week=start.strftime("%Y-%m-%d"))


@bp.get("/proxies")
@login_required
def proxy_list():
    config = _config()
    community = request.args.get("community", "")[:64]
    rows = proxies.listing(get_db(), community or None)
    for r in rows:
        r["phone"] = wording.mask_phones(r.pop("resident_phone"))
        r["filer"] = r["filer_name"] or wording.ROLE_NAMES.get(r["filer_role"] or "", "工作人员")
        r["state_name"] = wording.STATE_NAMES.get(r["state"], r["state"])
    return render_template("proxies.html", rows=rows, community=community, tz=config.settings.dispatch.timezone,
                           communities={c.id: c.name for c in config.deployment.communities})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
