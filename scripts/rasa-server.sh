#!/usr/bin/env bash
# Export data/nlu as a Rasa 3.x project, train it, and serve it on :5005 for `nlu.backend: rasa`.
# Needs .venv-rasa (scripts/rasa-setup.sh). Usage: scripts/rasa-server.sh [port] [epochs]
# Listens on 127.0.0.1 (SANDAN_RASA_HOST to change). With SANDAN_RASA_TOKEN set, the server requires ?token= (set the same variable for sandan).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-5005}"
EPOCHS="${2:-100}"
HOST="${SANDAN_RASA_HOST:-127.0.0.1}"   # only this machine asks it; set 0.0.0.0 deliberately to expose it
PROJECT=var/rasa
if [ ! -x .venv-rasa/bin/rasa ]; then
    echo "No .venv-rasa: run scripts/rasa-setup.sh first" >&2
    exit 1
fi
.venv/bin/sandan nlu export-rasa "$PROJECT" --epochs "$EPOCHS"
cd "$PROJECT"
# Retrain only when the exported files changed (rasa keeps a fingerprint in the model).
../../.venv-rasa/bin/rasa train nlu --fixed-model-name sandan-nlu --out models
AUTH=()
if [ -n "${SANDAN_RASA_TOKEN:-}" ]; then AUTH=(--auth-token "$SANDAN_RASA_TOKEN"); fi
exec ../../.venv-rasa/bin/rasa run --enable-api --interface "$HOST" --port "$PORT" --model models/sandan-nlu.tar.gz "${AUTH[@]}"
