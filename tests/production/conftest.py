"""Fixtures of the production-configuration tests: throwaway PostgreSQL databases, KB copy, stacks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.production.infra import ROOT, unreachable_reason
from tests.production.stacks import TIMINGS, ProductionStack, resolve_model, start_stack, stop_stack


def _skip_or_fail(reason: str) -> None:
    """Locally a missing service skips; in CI (where PostgreSQL, Redis and the model must exist) it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"production prerequisites missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def prod_services_reachable() -> None:
    reason = unreachable_reason()
    if reason:
        _skip_or_fail(reason)


@pytest.fixture(scope="session")
def kb_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo knowledge base, so the test never writes to var/kb."""
    source = Path(os.environ.get("KB_DIR", ROOT / "var" / "kb"))
    target = tmp_path_factory.mktemp("prod-kb") / "kb"
    if (source / "manifest.json").exists():
        shutil.copytree(source, target)
    else:
        from kb.setup import prepare_demo

        prepare_demo(ROOT, kb_dir=target)
    return target


@pytest.fixture(scope="module")
def bridge_without_rasa(prod_services_reachable: None, kb_copy: Path,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    """Shop + bridge on PostgreSQL/Redis; Rasa deliberately absent."""
    stack = start_stack(tmp_path_factory.mktemp("prod-norasa"), kb_copy, ("shop", "bridge"), None)
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="module")
def full_stack(prod_services_reachable: None, kb_copy: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    """Everything with production settings: shop, bridge and Rasa trackers on PostgreSQL, Redis locks/limits."""
    model, reason = resolve_model()
    if model is None:
        _skip_or_fail(reason)
    stack = start_stack(tmp_path_factory.mktemp("prod-full"), kb_copy, ("shop", "bridge", "rasa"), model)
    yield stack
    stop_stack(stack)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.write_line("[production] " + ", ".join(f"{k}: {v:.1f}s" for k, v in TIMINGS.items()))
