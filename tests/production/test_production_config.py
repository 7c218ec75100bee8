"""conf/production is complete and readable: every variable documented, Rasa expands every endpoint value."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.production.infra import ROOT

CONF = ROOT / "conf" / "production"
EXAMPLE = CONF / "production.env.example"
ENDPOINTS = CONF / "endpoints.yml"
CODE_DIRS = ("kb", "shop", "actions", "handoff", "scripts")
# Read by developer tooling only (venv location for scripts/stack.py), not by a deployed service.
NOT_DEPLOYMENT = {"VENV_DIR"}
_ENV_READ = re.compile(r"(?:environ\.get|environ\[|getenv|env\.get|_float)\(?\s*[\"']([A-Z][A-Z0-9_]+)[\"']")
_ASSIGN = re.compile(r"^#?\s?([A-Z][A-Z0-9_]+)=(.*)$")


def documented() -> dict[str, str]:
    """Variable -> example value, for set (KEY=) and optional (# KEY=) lines."""
    out: dict[str, str] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = _ASSIGN.match(line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def read_by_code() -> set[str]:
    names: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(_ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names - NOT_DEPLOYMENT


def test_every_endpoint_variable_is_documented() -> None:
    values = [line.split("#", 1)[0] for line in ENDPOINTS.read_text(encoding="utf-8").splitlines()]
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)\}", "\n".join(values)))
    assert needed >= {"RASA_DB_HOST", "RASA_DB_NAME", "REDIS_HOST", "ACTION_SERVER_URL"}
    missing = needed - set(documented())
    assert not missing, f"{EXAMPLE.name} lacks {sorted(missing)} used in {ENDPOINTS.name}"


def test_every_variable_the_code_reads_is_documented() -> None:
    missing = read_by_code() - set(documented())
    assert not missing, f"document {sorted(missing)} in conf/production/{EXAMPLE.name}"


def test_every_documented_variable_has_an_explanation() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = _ASSIGN.match(line)
        if not match or line.startswith("#"):
            continue
        j = i - 1
        while j >= 0 and _ASSIGN.match(lines[j]) and not lines[j].startswith("#"):
            j -= 1  # a group of related variables shares one comment block
        assert j >= 0 and lines[j].startswith("# ") and len(lines[j]) > 10, \
            f"{EXAMPLE.name}:{i + 1}: {match.group(1)} has no explanation above it"


def test_example_secrets_are_placeholders() -> None:
    values = documented()
    for name in ("RASA_TOKEN", "SERVICE_TOKEN", "FLASK_SECRET_KEY"):
        assert values[name] == "CHANGE_ME", f"{name} must not ship a usable value"


def test_rasa_expands_every_endpoint_value() -> None:
    """Rasa substitutes ${VAR} only in unquoted YAML values; a quoted one reaches it literally."""
    python = ROOT / ".venv" / "rasa" / "bin" / "python"
    if not python.exists():
        pytest.skip("Rasa virtualenv (.venv/rasa) not installed")
    env = {k: v for k, v in documented().items() if v}
    env.update(PATH="/usr/bin:/bin", RASA_DB_PASSWORD="", REDIS_PASSWORD="", RASA_TELEMETRY_ENABLED="false")
    probe = (
        "import json, sys\n"
        "from rasa.core.utils import AvailableEndpoints\n"
        "from rasa.core.lock_store import LockStore\n"
        "e = AvailableEndpoints.read_endpoints(sys.argv[1])\n"
        "lock = LockStore.create(e.lock_store)\n"  # redis-py connects lazily: no server needed
        "print(json.dumps({'action': e.action.url, 'tracker': [e.tracker_store.url, e.tracker_store.kwargs],"
        " 'lock': [e.lock_store.url, e.lock_store.kwargs], 'lock_prefix': lock.key_prefix}, default=str))\n"
    )
    done = subprocess.run([str(python), "-W", "ignore", "-c", probe, str(ENDPOINTS)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "${" not in json.dumps(loaded), loaded
    assert loaded["action"] == env["ACTION_SERVER_URL"]
    assert loaded["tracker"][0] == env["RASA_DB_HOST"] and loaded["tracker"][1]["db"] == env["RASA_DB_NAME"]
    assert loaded["lock"][0] == env["REDIS_HOST"]
    assert loaded["lock_prefix"] == "csbot:lock:"  # Rasa drops a non-alphanumeric prefix silently


def test_doc_names_every_variable() -> None:
    doc = (ROOT / "docs" / "production.md").read_text(encoding="utf-8")
    missing = [name for name in documented() if name not in doc]
    assert not missing, f"docs/production.md does not mention {missing}"


def test_example_is_shell_and_systemd_compatible() -> None:
    for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s'\"]*", line), f"{EXAMPLE.name}:{number}: {line!r}"

