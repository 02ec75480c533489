"""The knowledge base on the dashboard: the items, the questions nobody could answer (most asked first), and an
editor whose preview is the 一次性告知 reply exactly as the chat will send it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

import wording
from dispatch import knowledge_items
from dispatch.clock import utcnow
from web import get_db, get_services
from web.auth import login_required

bp = Blueprint("knowledge", __name__, url_prefix="/dashboard/knowledge")

#: The editor's fields: column → label (the answer's labels, as the chat shows them).
FIELDS = {knowledge_items.COLUMNS[key]: label for key, label in knowledge_items.ANSWER_FIELDS}


def _seeded() -> None:
    config = get_services().config
    knowledge_items.seed(get_db(), Path(config.path(config.settings.knowledge_file)), utcnow())


def _form_values() -> dict[str, str]:
    return {name: request.form.get(name, "")[:2000] for name in ("title", "questions", *FIELDS)}


def _preview(values: dict[str, Any]) -> str:
    item = knowledge_items.as_item({**values, "title": values.get("title") or "（未填标题）"})
    return wording.answer(item.title, list(item.fields))


@bp.get("/")
@login_required
def index():
    _seeded()
    db = get_db()
    return render_template("knowledge.html", items=knowledge_items.all_items(db),
                           unanswered=knowledge_items.unanswered(db))


@bp.get("/new")
@bp.get("/<int:item_id>")
@login_required
def edit(item_id: int | None = None):
    _seeded()
    if item_id is None:
        values: dict[str, Any] = {"title": "", "questions": request.args.get("question", "")[:200]}
    else:
        values = knowledge_items.get(get_db(), item_id) or abort(404)
    return render_template("knowledge_edit.html", item_id=item_id, values=values, fields=FIELDS,
                           preview=_preview(values))


@bp.post("/new")
@bp.post("/<int:item_id>")
@login_required
def save(item_id: int | None = None):
    _seeded()
    values = _form_values()
    if request.form.get("action") != "save":
        return render_template("knowledge_edit.html", item_id=item_id, values=values, fields=FIELDS,
                               preview=_preview(values))
    try:
        saved = knowledge_items.save(get_db(), item_id, values, f"dashboard:{g.user}", utcnow())
    except knowledge_items.MissingTitle:
        flash(wording.KNOWLEDGE_NEEDS_TITLE, "error")
    except knowledge_items.DuplicateTitle:
        flash(wording.knowledge_duplicate(values["title"]), "error")
    else:
        flash(wording.knowledge_saved(values["title"]), "ok")
        return redirect(url_for("knowledge.edit", item_id=saved))
    return render_template("knowledge_edit.html", item_id=item_id, values=values, fields=FIELDS,
                           preview=_preview(values))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
