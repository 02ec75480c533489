#!/usr/bin/env bash
# Create .venv (Python 3.10+) and install Sandan with its pinned dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> 安装依赖（首次约需一两分钟）"
  .venv/bin/pip install --disable-pip-version-check -q -r requirements-dev.txt
  .venv/bin/pip install --disable-pip-version-check -q --no-deps -e .
  rm -f .venv/.installed-*; touch "$stamp"
fi
