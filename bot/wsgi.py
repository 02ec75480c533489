"""The WSGI entry point for a gunicorn you run yourself: `gunicorn -w 2 --preload 'bot.wsgi:app'`.

It builds the app from config.yaml (or $SANDAN_CONFIG) without a scheduler; run `sandan worker`
beside it so exactly one process delivers the outbox and scans deadlines. (`sandan serve` does both.)
Like `sandan serve`, it refuses the demo's secrets.
"""

import os

from bot.app import create_app
from bot.serve import refuse_demo_secrets
from settings import load_config

_config_path = os.environ.get("SANDAN_CONFIG", "config.yaml")
refuse_demo_secrets(load_config(_config_path))
app = create_app(_config_path)
