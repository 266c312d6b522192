#!/usr/bin/env bash
# make bench: the ticket list at 1,000,000 tickets, measured over HTTP against the real server.
#
#   1. creates a fresh database (handoff_bench_<pid>) on $PGHOST (default 127.0.0.1:5432)
#   2. starts `handoff serve` on it with RATE_LIMITS=off (migrations run at start)
#   3. registers a user, creates a Standard workspace, enables tickets
#   4. bulk-loads $TICKETS tickets (default 1,000,000) with generate_series
#   5. measures (bench/bench.py, stdlib only): list page 1 vs page 1,000 (following 1,000 cursors),
#      each filter, counts, and create-ticket throughput; prints the figures
#   6. stops the server and drops the database (KEEP_DB=1 keeps it)
#
# Env: TICKETS, PROFILE (release|debug, default release), HANDOFF_BIN (skip the build),
#      CONCURRENCY, CREATES, PORT, KEEP_DB, PGHOST, PGPORT, PGUSER.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${TICKETS:-1000000}
PROFILE=${PROFILE:-release}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/root/.cache/handoff-target}
DB=handoff_bench_$$
PORT=${PORT:-$((20000 + $$ % 20000))}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  if [ -z "${KEEP_DB:-}" ]; then dropdb --if-exists --force "$DB" 2>/dev/null || true; else echo "kept database $DB"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${HANDOFF_BIN:-}" ]; then
  BIN=$HANDOFF_BIN
else
  if [ "$PROFILE" = release ]; then
    echo "== building handoff (release; first build takes ~10 min on 2 cores)"
    cargo build -q -p handoff --release
  else
    cargo build -q -p handoff
  fi
  # A private copy: another build into the shared target dir must not swap it mid-run.
  cp "$CARGO_TARGET_DIR/$PROFILE/handoff" "$WORK/handoff"
  BIN=$WORK/handoff
fi

echo "== database $DB"
createdb "$DB"
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"

echo "== starting handoff serve on $BASE (RATE_LIMITS=off)"
DATA_DIR=$WORK/data "$BIN" init-secret >/dev/null
BIND=127.0.0.1:$PORT PUBLIC_URL=$BASE RATE_LIMITS=off DATA_DIR=$WORK/data RUST_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.5
done

read -r WS ME TOKEN < <(python3 bench/bench.py setup "$BASE")
# Plans are the instance operator's: put the bench workspace on Standard.
DATA_DIR=$WORK/data "$BIN" workspace plan "$WS" standard >/dev/null
python3 bench/bench.py enable-tickets "$BASE" "$WS" "$TOKEN"
echo "== loading $TICKETS tickets into workspace $WS"
start=$(date +%s)
psql -q -v ws="$WS" -v me="$ME" -v n="$TICKETS" -d "$DB" -f bench/seed-bench.sql
psql -q -d "$DB" -c "VACUUM ANALYZE"
echo "   loaded in $(( $(date +%s) - start )) s"

python3 bench/bench.py measure "$BASE" "$WS" "$TOKEN" \
  --concurrency "${CONCURRENCY:-16}" --creates "${CREATES:-2000}"
