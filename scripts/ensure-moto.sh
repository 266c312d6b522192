#!/usr/bin/env bash
# Prints the path of `moto_server` (a real S3 API server, from PyPI), installing it once
# into a virtualenv outside the checkout (MOTO_VENV, default ~/.cache/handoff-moto) and
# again when the pin in tests/moto/requirements.txt changes. The attachment store's S3
# tests start it (tests/api/attachments.rs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${MOTO_VENV:-$HOME/.cache/handoff-moto}"
want="$(grep -E '^moto' "$root/tests/moto/requirements.txt" | sed 's/\[server\]//')"
if [ "$("$venv/bin/pip" freeze 2>/dev/null | grep -E '^moto==')" != "$want" ] || [ ! -x "$venv/bin/moto_server" ]; then
  echo "ensure-moto: installing $want into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/tests/moto/requirements.txt" >&2
fi
echo "$venv/bin/moto_server"
