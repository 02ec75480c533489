"""The dashboard: KPIs, charts, the grid plan by rating, ticket list and page, the review queue, the
leaderboard and exports. Every view needs a login; every POST carries the CSRF token.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request,
                   url_for)

import wording
from bot.media_response import stored_file
from dispatch import deadlines, points, sheets, stats, tickets
from dispatch import media as media_files
from dispatch.clock import local_text, utcnow
from dispatch.states import OPEN_STATES, State, TransitionError
from settings import Config
from web import cooperation, get_db, get_services, governance, knowledge, people
from web.auth import login_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static", static_url_path="/static")

PAGE = 50
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = tuple(wording.EXPORT_HEADERS)
COLOURS = {"红": "#d9363e", "蓝": "#2f6fde", "黄": "#e8b31a"}


def _config() -> Config:
    return get_services().config


@dataclass
class Period:
    start: datetime
    end: datetime
    start_text: str   # local dates as the form shows them
    end_text: str


def _period(config: Config, now: datetime) -> Period:
    """?start=YYYY-MM-DD&end=YYYY-MM-DD in local dates (end inclusive); default: this quarter so far."""
    tz = ZoneInfo(config.settings.dispatch.timezone)
    q_start, _, _ = stats.quarter_of(now, config.settings.dispatch.timezone)
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)

    def parse(name: str, default: datetime) -> datetime:
        try:
            return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").replace(tzinfo=tz)
        except ValueError:
            return default

    start, last = parse("start", q_start), parse("end", today)
    if last < start:
        start, last = last, start
    return Period(start, last + timedelta(days=1), start.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d"))


def _grid_names(config: Config) -> dict[str, str]:
    return {g.id: g.name for c in config.deployment.communities for g in c.grids}


def grid_plan(config: Config, ratings: list[stats.GridRating], width: int = 640) -> dict[str, Any]:
    """SVG polygons for the grids' areas (lat/lon scaled to the box), filled by rating colour."""
    by_id = {r.grid_id: r for r in ratings}
    shapes = [(g, c) for c in config.deployment.communities for g in c.grids if len(g.area) >= 3]
    if not shapes:
        return {"width": width, "height": 0, "shapes": []}
    lats = [p[0] for g, _ in shapes for p in g.area]
    lons = [p[1] for g, _ in shapes for p in g.area]
    squash = math.cos(math.radians(sum(lats) / len(lats)))   # a degree of longitude is shorter than one of latitude
    pad, max_height = 10, 520
    scale = min((width - 2 * pad) / (((max(lons) - min(lons)) * squash) or 1),
                (max_height - 2 * pad) / ((max(lats) - min(lats)) or 1))
    width = int((max(lons) - min(lons)) * squash * scale + 2 * pad)
    height = int((max(lats) - min(lats)) * scale + 2 * pad)
    out = []
    for grid, community in shapes:
        pts = [((lon - min(lons)) * squash * scale + pad, (max(lats) - lat) * scale + pad) for lat, lon in grid.area]
        r = by_id.get(grid.id)
        cx, cy = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
        out.append({"id": grid.id, "name": grid.name, "community": community.name,
                    "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in pts), "cx": round(cx, 1), "cy": round(cy, 1),
                    "colour": r.colour if r else "", "fill": COLOURS.get(r.colour if r else "", "#ccc"),
                    "score": r.score if r else None, "short": short_name(grid.name),
                    "rating": wording.grid_rating_text(r.colour, r.score) if r else wording.NO_RATING})
    return {"width": width, "height": height, "shapes": out}


def short_name(grid_name: str) -> str:
    """龙西社区第一网格党支部 → 龙西第一: fits a chart label or a box on the plan."""
    return grid_name.replace("社区", "").replace("网格党支部", "")


def _leaders(config: Config, now: datetime) -> list[dict[str, Any]]:
    start = points.week_start(now, config.settings.dispatch.timezone)
    rows = points.leaderboard(get_db(), start, start + timedelta(days=7), config.settings.points.leaderboard_size)
    teams = {t.id: t.name for t in config.deployment.teams}
    return [{**r, "label": wording.person_label(r["display_name"]), "team": teams.get(r["team_id"] or "", "")}
            for r in rows]


@bp.get("/")
@login_required
def index():
    config, db, now = _config(), get_db(), utcnow()
    period = _period(config, now)
    points.sync(db, config, now)
    kpi = stats.kpis(db, config, period.start, period.end, now)
    grids = _grid_names(config)
    ratings = stats.grid_ratings(db, config, period.start, period.end, now)
    rates = stats.three_rates(db, config, period.start, period.end, now)
    charts = {
        "category": [{"name": r["key"], "received": r["received"], "done": r["done"]}
                     for r in stats.by_category(db, config, period.start, period.end)],
        "grid": [{"name": short_name(grids.get(r["key"], r["key"] or "未定网格")), "received": r["received"],
                  "done": r["done"]}
                 for r in stats.by_grid(db, config, period.start, period.end)],
    }
    unit, points_ = stats.trend(db, config, period.start, period.end)
    charts["trend"] = [{"name": r["key"], "received": r["received"], "done": r["done"]} for r in points_]
    return render_template("index.html", kpi=kpi, period=period, charts=charts, ratings=ratings, unit=unit,
                           rates=rates, claim_time=wording.claim_time(kpi["claim_average"], None),
                           plan=grid_plan(config, ratings), leaders=_leaders(config, now),
                           calendar_warning=deadlines.calendar_warning(config, now),
                           recurring=governance.listing(config, now))


def _filter(config: Config) -> stats.TicketFilter:
    args = request.args
    state = args.get("state", "")
    states: tuple[str, ...] = ()
    if state == "open":
        states = tuple(s.value for s in OPEN_STATES)
    elif state in {s.value for s in State}:
        states = (state,)
    before = args.get("before", "")
    return stats.TicketFilter(states=states, grid_id=args.get("grid") or None,
                              category=args.get("category") or None, text=(args.get("q") or "").strip()[:100] or None,
                              before_id=int(before) if re.fullmatch("[0-9]{1,30}", before) else None)


@bp.get("/tickets")
@login_required
def ticket_list():
    config = _config()
    rows = stats.find_tickets(get_db(), _filter(config), PAGE + 1)
    more = rows[PAGE]["id"] + 1 if len(rows) > PAGE else None
    rows = rows[:PAGE]
    tickets.mark_withdrawn(get_db(), rows)        # a report its reporter withdrew reads 已撤回, not 未受理
    next_args = {**request.args.to_dict(), "before": rows[-1]["id"]} if more else None
    return render_template("tickets.html", rows=rows, grids=_grid_names(config), next_args=next_args,
                           categories=[c.name for c in config.deployment.categories], states=wording.STATE_NAMES,
                           withdrawn=wording.WITHDRAWN,
                           args=request.args, tz=config.settings.dispatch.timezone)


def _targets(config: Config) -> list[tuple[str, str]]:
    grids = [(f"grid:{g.id}", g.name) for c in config.deployment.communities for g in c.grids]
    return grids + [(f"dept:{d.id}", d.name) for d in config.deployment.departments]


def _timeline(config: Config, ticket: dict[str, Any]) -> list[dict[str, Any]]:
    """办理经过 in words: what happened, who did it (by name), and the note (a department by its name)."""
    admin = config.settings.web.admin_user
    rows = []
    for e in stats.timeline(get_db(), ticket["id"]):
        note = config.deployment.handler_name(None, e["note"]) if e["kind"] == "to_department" else e["note"]
        rows.append({"at": e["at"], "note": note, "internal": cooperation.is_internal(e["kind"]),
                     "what": wording.event_name(e["kind"], e["from_state"], e["actor"] == ticket["reporter"]),
                     "who": wording.actor_name(e["actor"], e["actor_role"], e["actor_name"], e["actor_external"],
                                               admin)})
    return rows


@bp.get("/tickets/<int:ticket_id>")
@login_required
def ticket_page(ticket_id: int):
    config, db = _config(), get_db()
    try:
        ticket = tickets.get_ticket(db, ticket_id)
    except tickets.TicketNotFound:
        abort(404, wording.no_ticket_page(ticket_id))
    tz = config.settings.dispatch.timezone
    tickets.mark_withdrawn(db, [ticket])
    return render_template(
        "ticket.html", t=ticket, events=_timeline(config, ticket), photos=stats.photos(db, ticket_id),
        ratings=stats.ratings(db, ticket_id), targets=_targets(config), states=wording.STATE_NAMES,
        withdrawn=wording.WITHDRAWN, tz=tz,
        handlings=wording.HANDLING_NAMES,
        handler=config.deployment.handler_name(ticket["grid_id"], ticket["department_id"]),
        grids=_grid_names(config), local=lambda t: local_text(t, tz), extras=cooperation.ticket_extras(config, ticket),
        claim_time=wording.claim_time(ticket["claim_seconds"], ticket["respond_unit"]),
        late=bool(ticket["claimed_at"] and ticket["respond_by"] and ticket["claimed_at"] > ticket["respond_by"]))


@bp.get("/queue")
@login_required
def queue():
    config = _config()
    rows = stats.find_tickets(get_db(), stats.TicketFilter(states=(State.RECEIVED.value,)), 200)
    return render_template("queue.html", rows=rows, targets=_targets(config), tz=config.settings.dispatch.timezone)


@bp.post("/tickets/<int:ticket_id>/assign")
@login_required
def assign(ticket_id: int):
    config, db = _config(), get_db()
    kind, _, target = request.form.get("target", "").partition(":")
    valid = dict(_targets(config))
    if f"{kind}:{target}" not in valid:
        abort(400, wording.PICK_A_TARGET)
    grid_id = target if kind == "grid" else None
    department_id = target if kind == "dept" else None
    if department_id:
        try:
            grid_id = tickets.get_ticket(db, ticket_id)["grid_id"]   # the grid stays informed of a transfer
        except tickets.TicketNotFound:
            abort(404)
    note = request.form.get("note", "").strip()[:200]
    try:
        tickets.assign(db, config, ticket_id, f"dashboard:{g.user}", utcnow(), grid_id, department_id, note)
    except tickets.TicketNotFound:
        abort(404)
    except TransitionError as e:
        flash(wording.wrong_state(ticket_id, e.current), "error")
    else:
        flash(f"工单 #{ticket_id} 已指派给{valid[f'{kind}:{target}']}", "ok")
    back = request.form.get("back", "")
    return redirect(url_for("dashboard.queue") if back == "queue" else url_for("dashboard.ticket_page",
                                                                               ticket_id=ticket_id))


@bp.get("/leaderboard")
@login_required
def leaderboard():
    config, db, now = _config(), get_db(), utcnow()
    points.sync(db, config, now)
    start = points.week_start(now, config.settings.dispatch.timezone)
    wish = points.leaderboard(db, start - timedelta(days=83), start + timedelta(days=7),
                              config.settings.points.leaderboard_size, points.WISH)
    return render_template("leaderboard.html", leaders=_leaders(config, now), wish=wish,
                           week=start.strftime("%Y-%m-%d"))


@bp.post("/ratings/publish")
@login_required
def publish_ratings():
    config, now = _config(), utcnow()
    period = _period(config, now)
    label = f"{period.start_text} 至 {period.end_text}"
    queued = stats.publish_ratings(get_db(), config, period.start, period.end, label, now)
    flash(f"网格评星已发给各社区（{queued} 条）", "ok")
    return redirect(url_for("dashboard.index", start=period.start_text, end=period.end_text))


def _export_rows() -> list[list[Any]]:
    config = _config()
    rows = stats.find_tickets(get_db(), _filter(config), EXPORT_LIMIT)
    details, now = stats.export_details(get_db(), [r["id"] for r in rows]), utcnow()
    out = []
    for r in rows:
        d = details.get(r["id"], {})
        handler = config.deployment.handler_name(r["grid_id"], r["department_id"])
        extra = {"rating_comment": d.get("rating_comment") or "", "overdue": wording.YES_NO[stats.overdue(r, now)],
                 "handler": f"{handler}（{d['claimed_name']}）" if d.get("claimed_name") else handler,
                 "reporter": wording.masked_person(d.get("reporter_name"), d.get("reporter_external"))}
        row = {**r, **extra}
        out.append([_readable(config, c, row.get(c)) for c in EXPORT_COLUMNS])
    return out


def _readable(config: Config, column: str, value: Any) -> Any:
    """A cell as people read it: states and handling in Chinese, names instead of ids, local times."""
    if value is None or value == "":
        return value
    deployment = config.deployment
    if column.endswith("_at"):
        return local_text(value, config.settings.dispatch.timezone)
    if column == "state":
        return wording.STATE_NAMES.get(value, value)
    if column == "handling":
        return wording.HANDLING_NAMES.get(value, value)
    found = {"community_id": deployment.community, "grid_id": deployment.grid,
             "department_id": deployment.department}.get(column, lambda _: None)(value)
    return found.name if found else value


@bp.get("/export.csv")
@login_required
def export_csv():
    return Response(sheets.csv_text(wording.EXPORT_HEADERS.values(), _export_rows()),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=tickets.csv"})


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    return Response(sheets.xlsx_bytes("工单", wording.EXPORT_HEADERS.values(), _export_rows()),
                    headers={"Content-Disposition": "attachment; filename=tickets.xlsx"},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/media/<int:media_id>")
@login_required
def media(media_id: int):
    """A stored photo, video or recording, only from inside the media folder."""
    return _media_file(media_id, "path")


@bp.get("/media/<int:media_id>/thumb")
@login_required
def media_thumb(media_id: int):
    """A video's thumbnail (WeChat's ThumbMediaId, downloaded beside it)."""
    return _media_file(media_id, "thumb_path")


def _media_file(media_id: int, column: str) -> Response:
    db = get_db()
    row = next((m for m in stats.photo(db, media_id)), None)
    return stored_file(media_files.for_config(_config()), row[column] if row else None, db)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    cooperation.init_app(app)
    governance.init_app(app)
    knowledge.init_app(app)
    people.init_app(app)
    app.add_template_filter(lambda text, tz: local_text(text, tz) or "—", "localtime")
    app.add_template_filter(wording.place_text, "place")     # a named place, a shared location's label, or the point
