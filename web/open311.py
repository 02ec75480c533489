"""Open311 GeoReport v2 at /open311/v2: services, service requests (GET, and POST with the API key),
one request by id; JSON or XML by the extension.

A POST files a ticket through the same pipeline as a chat report minus the conversation: the NLU reads
the description and address for the place, the given service_code fixes the category, routing picks the
grid or department, and ``tickets.create_ticket`` records it and pushes the handlers. We call the
pipeline directly rather than ``conversation.handle`` because an Open311 client cannot answer a follow-up
question ("which 小区?"); a request without a place that routing can use lands in the dispatcher's
review queue instead.

Statuses: open while the ticket is being worked on (or waiting for review), closed otherwise; the
state in Chinese goes in status_notes.

The GET lists are public, so they carry only reports (never questions or 转人工, which are private
conversations with the community) and no free text: residents write names, room numbers and their
stories into a report, and no rule finds every name in Chinese text. The public description is built
from what routing already knows, 类别｜小区楼栋 (``wording.public_description``). A client with the API
key (``api_key``, as for POST, or the ``X-Api-Key`` header of our JSON API) gets the resident's words
(phones masked) and the handler's resolution.

A POST that repeats an open request (the client's retry, or another report of the same problem) joins
that ticket like a chat report does (dispatch/duplicates.py): GeoReport v2 has no idempotency key, and
the duplicate check also covers a retry whose first answer was lost.
"""

from __future__ import annotations

import hmac
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, request

import wording
from dispatch import duplicates, stats, tickets
from dispatch.clock import local_text, parse_iso, utcnow
from dispatch.routing import route
from dispatch.states import OPEN_STATES, State
from dispatch.store import transaction
from dispatch.users import ensure_user
from settings import Config
from web import get_db, get_services

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

_OPEN = {s.value for s in OPEN_STATES}
_CLOSED = tuple(s.value for s in State if s.value not in _OPEN)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
#: The public sees a point to 3 decimals of a degree, about 100 m: the street, not the door.
PUBLIC_DECIMALS = 3


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# ---------------------------------------------------------------- output


def _clean(value: Any) -> str:
    return _XML_BAD.sub("", "" if value is None else str(value))


def _to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    """ElementTree escapes text; control characters XML 1.0 cannot carry are dropped first."""
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if isinstance(value, list):
                for v in value:
                    ET.SubElement(child, "value").text = _clean(v)
            elif isinstance(value, bool):
                child.text = "true" if value else "false"
            else:
                child.text = _clean(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


def _respond(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(_to_xml(root, item, rows), status, mimetype="text/xml")
    return Response(json.dumps(rows, ensure_ascii=False), status, mimetype="application/json")


def _error(fmt: str, e: Open311Error) -> Response:
    return _respond(fmt, "errors", "error", [{"code": e.status, "description": e.description}], e.status)


def _fmt(ext: str) -> str:
    if ext not in ("json", "xml"):
        raise Open311Error(404, "format must be json or xml")
    return ext


def _local_iso(text: str | None, tz: ZoneInfo) -> str | None:
    return parse_iso(text).astimezone(tz).isoformat() if text else None


def service_request(config: Config, t: dict[str, Any], photo_url: str | None, full: bool = False) -> dict[str, Any]:
    """One request as GeoReport v2 shows it; ``full`` (a client with the key) adds the people's own words, the
    exact point, the shared location's label and the photo."""
    tz = ZoneInfo(config.settings.dispatch.timezone)
    status = "open" if t["state"] in _OPEN else "closed"
    notes = wording.WITHDRAWN if t.get("withdrawn") else wording.STATE_NAMES.get(t["state"], t["state"])
    if full and t["resolution"]:
        notes += f"：{t['resolution']}"
    description = t["text"] if full else wording.public_description(t)
    location = _location(config, t)
    if location and not full:
        location = (round(location[0], PUBLIC_DECIMALS), round(location[1], PUBLIC_DECIMALS))
    address = (wording.known_place(t) or t["building"] or "") if full else wording.public_place(t)
    return {
        "service_request_id": t["id"], "status": status, "status_notes": wording.mask_phones(notes),
        "service_name": t["category"], "service_code": t["category"], "description": wording.mask_phones(description),
        "agency_responsible": config.deployment.handler_name(t["grid_id"], t["department_id"]),
        "service_notice": "", "requested_datetime": _local_iso(t["created_at"], tz),
        "updated_datetime": _local_iso(t["updated_at"], tz),
        "expected_datetime": _local_iso(t["deadline_at"], tz) if status == "open" else None,
        "address": address, "address_id": "", "zipcode": "",
        "lat": location[0] if location else None, "long": location[1] if location else None,
        "media_url": photo_url if full else None,
    }


def _location(config: Config, t: dict[str, Any]) -> tuple[float, float] | None:
    """The position the reporter shared, else the named place's point from the deployment."""
    if t["lat"] is not None and t["lon"] is not None:
        return t["lat"], t["lon"]
    for community in config.deployment.communities:
        for grid in community.grids:
            for place in grid.places:
                if place.name == t["place"] and place.location:
                    return place.location
    return None


def _photo_url(db: Any, ticket_id: int) -> str | None:
    return next((p["url"] for p in stats.photos(db, ticket_id) if p["url"].startswith(("http://", "https://"))),
                None)


# ---------------------------------------------------------------- endpoints


@bp.get("/services.<ext>")
def services(ext: str):
    try:
        fmt = _fmt(ext)
    except Open311Error as e:
        return _error("json", e)
    config = get_services().config
    rows = [{"service_code": c.name, "service_name": c.name, "description": ", ".join(c.keywords[:8]),
             "metadata": False, "type": "realtime", "keywords": ", ".join(c.keywords),
             "group": wording.HANDLING_NAMES.get(c.handling, c.handling)} for c in config.deployment.categories]
    return _respond(fmt, "services", "service", rows)


def _date(name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date, like 2026-11-01T00:00:00+08:00")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(get_services().config.settings.dispatch.timezone))


def _has_key() -> bool:
    """The API key, as ``api_key`` (Open311's name, also for GET) or the ``X-Api-Key`` header."""
    expected = get_services().config.settings.web.api_key
    given = request.values.get("api_key") or request.headers.get("X-Api-Key", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _public(t: dict[str, Any], full: bool) -> bool:
    """Only reports are service requests; questions and 转人工 are private conversations. A report still in the
    dispatcher's review queue is not public yet (it may be no report at all): only a client with the key sees it."""
    return t["intent"] == "report" and (full or t["state"] != State.RECEIVED.value)


@bp.get("/requests.<ext>")
def list_requests(ext: str):
    fmt = ext if ext in ("json", "xml") else "json"
    try:
        _fmt(ext)
        config, db = get_services().config, get_db()
        full = _has_key()
        ids = request.args.get("service_request_id")
        if ids:
            rows = []
            for part in ids.split(",")[:MAX_RESULTS]:
                if re.fullmatch("[0-9]{1,30}", part.strip()):
                    try:
                        t = tickets.get_ticket(db, int(part))
                    except tickets.TicketNotFound:
                        continue
                    if _public(t, full):
                        rows.append(t)
        else:
            status = request.args.get("status", "")
            if status not in ("", "open", "closed"):
                raise Open311Error(400, "status must be open or closed")
            states = tuple(sorted(_OPEN)) if status == "open" else _CLOSED if status == "closed" else ()
            if not full:
                states = tuple(s for s in (states or (*sorted(_OPEN), *_CLOSED)) if s != State.RECEIVED.value)
            end = _date("end_date")
            start = _date("start_date") or ((end or utcnow()) - timedelta(days=DEFAULT_DAYS))
            rows = stats.find_tickets(db, stats.TicketFilter(
                states=states, category=request.args.get("service_code") or None, intent="report",
                created_from=start, created_to=end), MAX_RESULTS)
        tickets.mark_withdrawn(db, rows)
        out = [service_request(config, t, _photo_url(db, t["id"]), full) for t in rows]
    except Open311Error as e:
        return _error(fmt, e)
    return _respond(fmt, "service_requests", "request", out)


@bp.get("/requests/<int:ticket_id>.<ext>")
def one_request(ticket_id: int, ext: str):
    fmt = ext if ext in ("json", "xml") else "json"
    try:
        _fmt(ext)
        config, db = get_services().config, get_db()
        try:
            t = tickets.get_ticket(db, ticket_id)
        except tickets.TicketNotFound:
            t = None
        if t is None or not _public(t, _has_key()):
            raise Open311Error(404, f"no service request {ticket_id}")
    except Open311Error as e:
        return _error(fmt, e)
    tickets.mark_withdrawn(db, [t])
    return _respond(fmt, "service_requests", "request",
                    [service_request(config, t, _photo_url(db, ticket_id), _has_key())])


def _float(name: str) -> float | None:
    value = request.values.get(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number")


@bp.post("/requests.<ext>")
def create_request(ext: str):
    fmt = ext if ext in ("json", "xml") else "json"
    try:
        _fmt(ext)
        return _respond(fmt, "service_requests", "request", [_create()], 201)
    except Open311Error as e:
        return _error(fmt, e)


def _create() -> dict[str, Any]:
    services_, db, now = get_services(), get_db(), utcnow()
    config = services_.config
    if not _has_key():
        raise Open311Error(403, "a valid api_key is required")
    code = request.values.get("service_code", "")
    if code not in {c.name for c in config.deployment.categories}:
        raise Open311Error(400, "service_code not found; see services.json")
    description = request.values.get("description", "").strip()[:2000]
    address = request.values.get("address_string", "").strip()[:200]
    lat, lon = _float("lat"), _float("long")
    if not description:
        raise Open311Error(400, "description is required")
    if not address and (lat is None or lon is None):
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    if (lat is None) != (lon is None) or (lat is not None and not tickets.on_earth(lat, lon)):
        raise Open311Error(400, "lat and long must both be given, within -90..90 and -180..180")
    who = (request.values.get("account_id") or request.values.get("email") or request.values.get("device_id")
           or "anonymous")[:128]
    reporter = f"open311:{who}"
    parse = services_.engine.parse(f"{address} {description}".strip())
    parse.text, parse.intent, parse.category = description, "report", code
    location = (lat, lon) if lat is not None and lon is not None else None
    the_route = route(parse, config.deployment, config.settings.nlu.review_threshold, location)
    media_url = request.values.get("media_url", "")
    photos = [{"url": media_url}] if media_url.startswith(("http://", "https://")) else []
    name = " ".join(filter(None, [request.values.get("first_name"), request.values.get("last_name")]))[:64]
    with transaction(db):
        ensure_user(db, reporter, now, name)
        # a retry, or someone else's report of the same open problem, joins the open ticket
        t, outcome = duplicates.file_or_join(db, config, reporter, parse, the_route, now, photos,
                                             location=tickets.Location(*location, address) if location else None)
    notice = wording.open311_notice(t["id"], config.deployment.handler_name(t["grid_id"], t["department_id"]),
                                    local_text(t["deadline_at"], config.settings.dispatch.timezone),
                                    t["state"] == "received", outcome != "new")
    return {"service_request_id": t["id"], "service_notice": notice, "account_id": None}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
