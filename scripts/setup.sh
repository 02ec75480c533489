#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install Sandan with the locked dependency tree (requirements.lock, made by
# pip-compile from requirements-dev.txt). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Sandan needs Python 3.11 or newer (numpy and scikit-learn do); $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  echo "Install python3.11 (or newer) and run: PYTHON=python3.11 bash scripts/setup.sh" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.lock requirements.txt requirements-dev.txt pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> 安装依赖（首次约需一两分钟）"
  .venv/bin/pip install --disable-pip-version-check -q -r requirements.lock
  .venv/bin/pip install --disable-pip-version-check -q --no-deps -e .
  rm -f .venv/.installed-*; touch "$stamp"
fi
