# Handoff — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
BIN := $(CARGO_TARGET_DIR)/debug/handoff
BIND ?= 127.0.0.1:8080
DEMO_BIND ?= 127.0.0.1:8081

# The embedding model the tests and `make eval` use (kept outside the checkout).
EMBEDDINGS_MODEL_DIR ?= $(HOME)/.cache/handoff-models/all-MiniLM-L6-v2

.PHONY: run test frontend server openapi check-rust test-rust test-frontend e2e fuzz fuzz-short bench fmt model eval

## make run: build everything, make sure Postgres is there, migrate, seed the demo, serve.
run: frontend server
	# The default embedding model (EMBEDDINGS=builtin), downloaded once with progress.
	if [ "$${EMBEDDINGS:-builtin}" = builtin ] && [ -z "$${EMBEDDINGS_MODEL_DIR:-}" ]; then
	  scripts/fetch-model.sh "$${DATA_DIR:-.data}/models/all-MiniLM-L6-v2" \
	    || echo "  The embedding model could not be fetched: the assistant falls back to word matching (see /readyz)."
	fi
	DATABASE_URL="$$(scripts/ensure-postgres.sh handoff)"
	export DATABASE_URL
	$(BIN) migrate
	$(BIN) init-secret
	$(BIN) seed-demo
	export BIND="$(BIND)"
	echo "  Dashboard:        http://localhost:$(lastword $(subst :, ,$(BIND)))"
	echo "  API docs:         http://localhost:$(lastword $(subst :, ,$(BIND)))/docs"
	echo "  Demo shop page:   http://localhost:$(lastword $(subst :, ,$(DEMO_BIND)))  (embeds the widget)"
	exec $(BIN) serve --demo-bind "$(DEMO_BIND)"

frontend/node_modules: frontend/package-lock.json
	cd frontend
	npm ci --no-audit --no-fund
	touch node_modules

frontend: frontend/node_modules
	cd frontend && npm run build

server:
	cargo build -p handoff

## make test: everything the project checks.
test: check-rust test-rust test-frontend e2e fuzz-short

check-rust:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

model:
	scripts/fetch-model.sh "$(EMBEDDINGS_MODEL_DIR)"

test-rust: model
	export TEST_DATABASE_URL="$$(scripts/ensure-postgres.sh postgres)"
	export EMBEDDINGS_MODEL_DIR="$(EMBEDDINGS_MODEL_DIR)"
	# A real S3 API server for the attachment store's tests (PyPI's moto, outside the checkout).
	export MOTO_SERVER="$$(scripts/ensure-moto.sh)"
	cargo test --workspace

## make eval: the labelled sets through the real widget API, per engine and set (release).
eval: model
	export TEST_DATABASE_URL="$$(scripts/ensure-postgres.sh postgres)"
	export EMBEDDINGS_MODEL_DIR="$(EMBEDDINGS_MODEL_DIR)"
	cargo test --release -p handoff-tests --test api assistant_eval::eval_report -- --ignored --nocapture --test-threads=1
	# Release figures: the model's memory, then 1,000 articles indexed (one test at a time).
	cargo test --release -p handoff-tests --test api assistant_eval::model_memory -- --ignored --nocapture --exact
	cargo test --release -p handoff-tests --test api assistant_eval::indexing_a_thousand_articles -- --ignored --nocapture --exact
	cargo test --release -p handoff-tests --test api assistant_eval::semantic_engine_meets_the_targets -- --include-ignored --nocapture

test-frontend: frontend
	cd frontend && npm test

e2e: frontend server
	export E2E_PG_URL="$$(scripts/ensure-postgres.sh postgres)"
	export HANDOFF_BIN=$(BIN)
	cd frontend && npm run e2e

## make fuzz: schemathesis (pinned in tests/fuzz/requirements.txt, in the gitignored
## .venv-fuzz/ it creates) against a real server and its spec, >= 20,000 cases;
## `make test` runs the short form (a few minutes).
fuzz: server
	export HANDOFF_BIN=$(BIN)
	tests/fuzz/run.sh long

fuzz-short: server
	export HANDOFF_BIN=$(BIN)
	tests/fuzz/run.sh short

## make openapi: regenerate openapi.yaml (and the frontend's API types) from the code.
openapi: server
	$(BIN) openapi > openapi.yaml
	if [ -d frontend/node_modules ]; then cd frontend && npm run gen:api; fi

bench:
	bash bench/run.sh

fmt:
	cargo fmt --all
