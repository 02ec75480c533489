#!/usr/bin/env bash
# Install, then run the whole test suite. "No tests collected" counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive Debian's Chromium (and need a CJK font to render Chinese); install them once
# when missing and allowed. Without them those tests skip themselves.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "==> 安装 chromium 与中文字体（浏览器测试用）"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei \
      >/dev/null) || echo "chromium 安装失败：浏览器测试将跳过" >&2
  fi
fi
# PostgreSQL: a throwaway cluster (Debian's binaries) unless SANDAN_TEST_PG_URL names one. The concurrency
# tests use it in the first pass; the second pass runs the store-facing tests again with every store on it.
if [ -z "${SANDAN_TEST_PG_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/sandan-pg.XXXXXX)
  trap 'bash scripts/postgres-throwaway.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
  if url=$(bash scripts/postgres-throwaway.sh start "$pgdir"); then
    export SANDAN_TEST_PG_URL="$url"
  else
    echo "PostgreSQL 未能启动：只测 SQLite（见 $pgdir）" >&2
  fi
fi
# The tests that run on both stores (SANDAN_PG_TESTS to choose others).
PG_TESTS="${SANDAN_PG_TESTS:-tests/dispatch tests/points tests/web tests/channels tests/volunteers tests/conversation
  tests/together tests/reliability tests/operations/test_ready.py tests/test_loop.py}"
set +e
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 0 ] && [ -n "${SANDAN_TEST_PG_URL:-}" ]; then
  echo "==> 同一批测试，数据存于 PostgreSQL"
  # shellcheck disable=SC2086
  SANDAN_TEST_STORE=postgresql .venv/bin/python -m pytest -q -m "not browser" $PG_TESTS
  status=$?
fi
set -e
if [ "$status" -eq 5 ]; then
  echo "no tests were collected: failing" >&2
  exit 1
fi
exit "$status"
