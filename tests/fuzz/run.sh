#!/usr/bin/env bash
# The spec fuzzer: schemathesis against a real `handoff serve` on a fresh database, seeded
# with a workspace, an operator user, an API key and a widget visitor.
#
#   tests/fuzz/run.sh short   a few minutes (part of `make test`)
#   tests/fuzz/run.sh long    >= 20,000 cases (`make fuzz`)
#
# Checks: no server errors, no status code the spec does not list, every response matches
# its schema. Operations are called with the credential their `security` names: `bearer`
# a user's access token (logged in again whenever one is refused), or in a second pass of
# the long run the workspace's API key; `visitor` the visitor token. Stateful runs follow
# the spec's links. Exit status: schemathesis's (0 when nothing failed).
set -euo pipefail
mode="${1:-short}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bin="${HANDOFF_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/handoff}"
venv="${FUZZ_VENV:-$root/.venv-fuzz}"
log() { echo "fuzz: $*" >&2; }

# The virtualenv, made once (gitignored) and re-made when the pin changes.
want="$(grep -E '^schemathesis==' tests/fuzz/requirements.txt)"
if [ "$("$venv/bin/pip" freeze 2>/dev/null | grep -E '^schemathesis==')" != "$want" ]; then
  log "installing $want into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/fuzz/requirements.txt
fi

admin="$(scripts/ensure-postgres.sh postgres)"
db="handoff_fuzz_$$"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export DATABASE_URL="${admin%/*}/$db"
export DATA_DIR="$work/data" BIND="127.0.0.1:$port" PUBLIC_URL="$base"
export JWT_SECRET="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
export RATE_LIMITS=off EMBEDDINGS=off AI_PROVIDER=builtin
export WEBHOOK_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8
export FRONTEND_DIR="$work/no-frontend"
export RUST_LOG="${RUST_LOG:-warn}"
export HANDOFF_FUZZ_URL="$base" HANDOFF_FUZZ_EMAIL="fuzz-owner@example.com"
export HANDOFF_FUZZ_PASSWORD="fuzz owner password" HANDOFF_PASSWORD="fuzz owner password"

"$bin" migrate >/dev/null
"$bin" create-user --email "$HANDOFF_FUZZ_EMAIL" --name "Fuzz Owner" >/dev/null
"$bin" operator grant "$HANDOFF_FUZZ_EMAIL" >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
eval "$("$venv/bin/python" tests/fuzz/seed.py)"

# $1: how `bearer` operations authenticate (user | key).
config() {
  cat <<TOML
max-stream-events = 1
request-timeout = 10

[parameters]
"path.ws" = "\${HANDOFF_FUZZ_WS}"
"path.ticket" = "\${HANDOFF_FUZZ_TICKET}"
"path.user_id" = "\${HANDOFF_FUZZ_USER}"

[[operations]]
include-path-regex = "/articles/\\\\{id\\\\}"
parameters = { "path.id" = "\${HANDOFF_FUZZ_ARTICLE}" }

[[operations]]
include-path-regex = "/webhooks/\\\\{id\\\\}"
parameters = { "path.id" = "\${HANDOFF_FUZZ_WEBHOOK}" }

[[operations]]
include-path-regex = "/invitations/\\\\{id\\\\}"
parameters = { "path.id" = "\${HANDOFF_FUZZ_INVITATION}" }

[[operations]]
include-path-regex = "/api-keys/\\\\{id\\\\}"
parameters = { "path.id" = "\${HANDOFF_FUZZ_SPARE_KEY}" }

[[operations]]
include-path-regex = "/conversations/\\\\{id\\\\}"
parameters = { "path.id" = "\${HANDOFF_FUZZ_CONVERSATION}" }

[auth.openapi.visitor]
bearer = "\${HANDOFF_FUZZ_VISITOR}"
TOML
  if [ "$1" = key ]; then
    cat <<'TOML'

[auth.openapi.api_key]
bearer = "${HANDOFF_FUZZ_API_KEY}"
TOML
  else
    cat <<'TOML'

[auth.dynamic.openapi.bearer]
path = "/api/v1/auth/login"
payload = { email = "${HANDOFF_FUZZ_EMAIL}", password = "${HANDOFF_FUZZ_PASSWORD}" }
extract_selector = "/access_token"
TOML
  fi
}

case "$mode" in
  short) passes="user"; examples="${FUZZ_EXAMPLES:-5}" ;;
  long) passes="user key"; examples="${FUZZ_EXAMPLES:-150}" ;;
  *) log "usage: $0 short|long"; exit 2 ;;
esac
status=0
for pass in $passes; do
  config "$pass" >"$work/schemathesis-$pass.toml"
  log "pass '$pass': $examples examples per operation"
  # Run from the scratch dir: schemathesis keeps a cache in its working directory.
  (cd "$work" && PYTHONPATH="$root/tests/fuzz" SCHEMATHESIS_HOOKS=hooks "$venv/bin/schemathesis" --no-color --config-file "$work/schemathesis-$pass.toml" \
    run "$base/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$examples" --workers 2 --generation-database none \
    --seed "${FUZZ_SEED:-$RANDOM}") || status=$?
done
if [ "$status" -ne 0 ]; then
  log "failures above; the server's log:"
  grep -iE 'error|panic' "$work/server.log" | tail -50 >&2 || true
fi
exit "$status"
