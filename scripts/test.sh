#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, lint, types, Rasa data and story tests, pytest
# (unit, integration against PostgreSQL/Redis, end-to-end over HTTP, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RASA_TELEMETRY_ENABLED=false PYTHONPATH=$(pwd)
APP_PY=.venv/app/bin/python
RASA=.venv/rasa/bin/rasa
step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "set-up"
bash scripts/setup.sh

step "browser for the end-to-end tests"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
      || echo "could not install Debian's chromium; browser tests will fail"
  else
    echo "Debian's chromium is missing: install it (apt-get install chromium) to run the browser tests"
  fi
fi
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium || echo /usr/bin/chromium)}

step "lint (ruff) and types (mypy)"
$APP_PY -m ruff check .
$APP_PY -m mypy

step "Rasa: train (if changed), validate data, conversation tests"
MODEL=$($APP_PY -m scripts.stack train | tail -n1)
RASA_CACHE_DIRECTORY=var/rasa-cache $RASA data validate --data bot --domain domain.yml --config config.yml
RASA_CACHE_DIRECTORY=var/rasa-cache $RASA test core --model "$MODEL" --stories tests/bot/conversations \
  --out var/rasa-test-results --fail-on-prediction-errors

step "pytest"
export RASA_MODEL=$MODEL
$APP_PY -m pytest -q tests
