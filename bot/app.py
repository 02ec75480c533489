"""The Flask application factory. Nothing is built at import time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from bot import api, capacity, db, errors, groups, webchat
from bot.channels import callbacks
from bot.logs import redact_logs
from bot.services import Services, build_services
from dispatch.store import init_db, location as store_location
import web


def create_app(config_path: str | Path = "config.yaml", overrides: dict[str, Any] | None = None,
               services: Services | None = None) -> Flask:
    """Build the app for a deployment.

    :param overrides: config sections merged over config.yaml (tests pass a temp store).
    :param services: already-built services, to share one NLU engine between apps in tests.
    """
    services = services or build_services(config_path, overrides)
    config = services.config
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        SECRET_KEY=config.settings.web.secret_key,
        MAX_CONTENT_LENGTH=config.settings.web.max_body_bytes,
        SANDAN_SERVICES=services,
        SANDAN_DB_PATH=str(store_location(config)),
    )
    app.config.from_prefixed_env("SANDAN_FLASK")
    app.json.ensure_ascii = False   # Chinese stays readable in JSON responses
    init_db(app.config["SANDAN_DB_PATH"]).close()
    errors.init_app(app)
    api.init_app(app)
    web.init_app(app)
    callbacks.init_app(app)
    groups.init_app(app)
    webchat.init_app(app)

    db.init_app(app)
    capacity.init_app(app)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    redact_logs(config)
    return app
