#!/usr/bin/env bash
# Create .venv-rasa (Python 3.10) with Rasa 3.6 for the optional `nlu.backend: rasa`.
# Rasa pins old TensorFlow and does not install on Python 3.11, hence its own venv.
# About 2.7 GB of wheels; run once. Usage: scripts/rasa-setup.sh [python3.10]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${RASA_PYTHON:-/root/.pyenv/versions/3.10.13/bin/python}}"
if [ ! -x .venv-rasa/bin/python ]; then
    "$PY" -m venv .venv-rasa
fi
.venv-rasa/bin/pip install --upgrade "pip<24.1" wheel
.venv-rasa/bin/pip install rasa==3.6.21
.venv-rasa/bin/pip install jieba==0.42.1
.venv-rasa/bin/rasa --version
