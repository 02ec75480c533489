"""The dashboard's 二维码 page: a 帮办二维码 poster (PNG or PDF) for any estate or building, as `sandan qrcode`
writes it (bot/posters.py), for staff to print for the notice board."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for

import wording
from bot.posters import CHANNELS, FontMissing, file_name, pdf_bytes, png_bytes, poster_for
from dispatch import scenes
from dispatch.clock import utcnow
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("posters", __name__, url_prefix="/dashboard/qrcodes", template_folder="templates")

KINDS = {"png": (png_bytes, "image/png"), "pdf": (pdf_bytes, "application/pdf")}


@bp.get("")
@login_required
def index():
    config = get_services().config
    rows = [{"community": c.name, "grid": g.name, "place": p.name, "buildings": p.buildings}
            for c, g, p in scenes.estates(config.deployment)]
    channel = "wechat" if config.settings.wechat.enabled and config.settings.wechat.app_id else "web"
    return render_template("qrcodes.html", rows=rows, channel=channel)


@bp.get("/poster")
@login_required
def poster():
    from bot.channels.qrcodes import QrCodeFailed

    config = get_services().config
    place, building = request.args.get("place", ""), request.args.get("building", "").strip()
    channel, kind = request.args.get("channel", "web"), request.args.get("format", "png")
    spot = scenes.spot(config.deployment, place, building)
    if spot is None or channel not in CHANNELS or kind not in KINDS:
        known = list(dict.fromkeys(p.name for _, _, p in scenes.estates(config.deployment)))
        flash(wording.unknown_estate(f"{place}{building}", known), "error")
        return redirect(url_for("posters.index"))
    s = config.settings.qrcode
    write, mimetype = KINDS[kind]
    try:
        page = poster_for(config, get_db(), spot, channel, utcnow())
        body = write(page, config.path(s.font), s.dpi)
    except (FontMissing, QrCodeFailed) as e:
        flash(str(e), "error")
        return redirect(url_for("posters.index"))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{_quoted(file_name(page, channel, kind))}"})


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
