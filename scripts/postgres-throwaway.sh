#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `start DIR` initialises one in DIR, starts it on a unix socket
# there (no TCP port) and prints its URL; `stop DIR` stops it. Uses Debian's binaries (PG_BIN to override).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (else `nobody`).
set -euo pipefail
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
cmd="${1:?usage: postgres-throwaway.sh start|stop DIR}"
dir="${2:?usage: postgres-throwaway.sh start|stop DIR}"
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    local owner=postgres
    id -u postgres >/dev/null 2>&1 || owner=nobody
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}
case "$cmd" in
  start)
    [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL binaries (looked in '$PG_BIN'); set PG_BIN" >&2; exit 2; }
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      owner=postgres; id -u postgres >/dev/null 2>&1 || owner=nobody
      chown "$owner" "$dir"; chmod 700 "$dir"
    fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U sandan --auth=trust -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log"
    # Durability off: the cluster lives for one test run. max_connections covers the concurrency tests.
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
      -o "-k $dir -p 5432 -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start
    echo "postgresql://sandan@/postgres?host=$dir&port=5432"
    ;;
  stop)
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -s stop || true
    ;;
  *) echo "usage: postgres-throwaway.sh start|stop DIR" >&2; exit 2 ;;
esac
