#!/usr/bin/env bash
# Prints a reachable DATABASE_URL for database "$1" (default: handoff), creating the database
# when missing. Uses $DATABASE_URL when it is set and reachable; otherwise runs a
# project-local cluster under .data/pg (initdb/pg_ctl, as the postgres user when we are root),
# installing Debian's postgresql package when the binaries are missing and we are root.
set -euo pipefail
dbname="${1:-handoff}"
root="$(cd "$(dirname "$0")/.." && pwd)"
log() { echo "ensure-postgres: $*" >&2; }

reachable() { psql "$1" -qAtc 'select 1' >/dev/null 2>&1; }

with_db() { # URL $1 with its database replaced by $2 (query string kept)
  local url="$1" db="$2" query="" scheme rest
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  scheme="${url%%://*}"; rest="${url#*://}"
  rest="${rest%%/*}"   # user:pass@host:port
  printf '%s://%s/%s%s\n' "$scheme" "$rest" "$db" "$query"
}

ensure_db() { # $1 = server URL (any db)
  local admin; admin="$(with_db "$1" postgres)"
  if ! psql "$admin" -qAtc "select 1 from pg_database where datname = '$dbname'" | grep -q 1; then
    psql "$admin" -qc "CREATE DATABASE \"$dbname\"" >&2
    log "created database $dbname"
  fi
  with_db "$1" "$dbname"
}

if [ -n "${DATABASE_URL:-}" ]; then
  if reachable "$(with_db "$DATABASE_URL" postgres)" || reachable "$DATABASE_URL"; then
    ensure_db "$DATABASE_URL"; exit 0
  fi
  log "DATABASE_URL is set but not reachable; starting the project-local cluster instead"
fi

port="${LOCAL_PG_PORT:-54329}"
dir="$root/.data/pg"
url="postgres://postgres@127.0.0.1:$port/postgres"
if reachable "$url"; then ensure_db "$url"; exit 0; fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing PostgreSQL (Debian package postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || { apt-get update -qq >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; }
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  else
    log "PostgreSQL binaries not found: install PostgreSQL or set DATABASE_URL"; exit 1
  fi
fi

as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  log "initialising a local cluster in $dir/data"
  as_pg "'$bindir/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
fi
log "starting the local cluster on port $port"
as_pg "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -w start" >&2
ensure_db "$url"
