#!/usr/bin/env bash
# Install, then start the shipped demo deployment (fresh database, WeChat stand-in, web server, scheduler).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/sandan demo "$@"
