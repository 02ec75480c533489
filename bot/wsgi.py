"""The WSGI entry point for a multi-worker server: `gunicorn -w 2 --preload 'bot.wsgi:app'`.

It builds the app from config.yaml (or $SANDAN_CONFIG) without a scheduler; run `sandan worker`
beside it so exactly one process delivers the outbox and scans deadlines.
"""

import os

from bot.app import create_app

app = create_app(os.environ.get("SANDAN_CONFIG", "config.yaml"))
