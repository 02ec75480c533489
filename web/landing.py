"""`/`: what Sandan is and where to go next (the web chat, the dashboard, Open311), instead of a bare 404."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from web import get_services

bp = Blueprint("landing", __name__, template_folder="templates")


@bp.get("/")
def index():
    config = get_services().config
    return render_template("landing.html", district=config.deployment.district,
                           demo_chat=config.settings.web.demo_chat,
                           communities=len(config.deployment.communities),
                           grids=sum(len(c.grids) for c in config.deployment.communities))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
