"""Production stacks for the tests: throwaway databases, processes with production settings, restarts."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scripts.stack import Ports, Stack, http_ok
from tests.production.infra import ROOT, ThrowawayDatabases, production_env

ENDPOINTS = "conf/production/endpoints.yml"
TIMINGS: dict[str, float] = {}


def resolve_model() -> tuple[Path | None, str]:
    """$RASA_MODEL, else the model of the current training data (trained if missing); or a reason."""
    if os.environ.get("RASA_MODEL"):
        path = Path(os.environ["RASA_MODEL"])
        return (path, "") if path.exists() else (None, f"RASA_MODEL={path} does not exist")
    if not (ROOT / ".venv" / "rasa" / "bin" / "rasa").exists():
        return None, "Rasa virtualenv (.venv/rasa) not installed"
    from scripts.stack import ensure_model

    try:
        return ensure_model(), ""
    except SystemExit as exc:  # ensure_model reports a failed training this way
        first = str(exc).splitlines()[0] if str(exc) else "rasa train failed"
        return None, f"no trained Rasa model: {first}"


def make_databases(roles: Sequence[str]) -> ThrowawayDatabases:
    """Create the databases; the shop one gets the demo dataset (the same as `python -m shop demo`)."""
    from shop import make_engine
    from shop.setup import load_demo

    dbs = ThrowawayDatabases()
    try:
        for role in roles:
            dbs.create(role)
        if "shop" in roles:
            started = time.perf_counter()
            engine = make_engine(dbs.url_text("shop"))
            load_demo(engine)
            engine.dispose()
            TIMINGS["shop demo load (PostgreSQL)"] = time.perf_counter() - started
    except BaseException:
        dbs.drop_all()
        raise
    return dbs


@dataclass
class ProductionStack:
    """KB service, action server and Rasa in one supervisor; the bridge in another, so it can restart alone."""

    bridge: Stack
    dbs: ThrowawayDatabases
    env: dict[str, str]
    core: Stack | None = None
    log_dir: Path = field(default_factory=Path)

    @property
    def bridge_url(self) -> str:
        return f"http://127.0.0.1:{self.bridge.ports.bridge}"

    def restart_bridge(self) -> tuple[int, int, float]:
        """Stop the bridge process, check it is gone, start a new one; (old pid, new pid, seconds)."""
        old_pid = self.bridge.procs["bridge"].pid
        self.bridge.stop()
        assert not http_ok(f"{self.bridge_url}/health", timeout=1.0), "bridge still answers after stop"
        started = time.perf_counter()
        self.bridge.start()
        return old_pid, self.bridge.procs["bridge"].pid, time.perf_counter() - started


def start_stack(tmp: Path, kb_dir: Path, roles: Sequence[str], model: Path | None) -> ProductionStack:
    """Start the bridge (and, with a model, KB + actions + Rasa) on random ports with production settings."""
    dbs = make_databases(roles)
    env = production_env(dbs, kb_dir)
    ports = Ports.random()
    log_dir = tmp / "logs"
    # Without Rasa the bridge's RASA_URL points at a free port nobody listens on; the model path is unused.
    placeholder = model or Path("no-model")
    core = None
    try:
        if model is not None:
            core = Stack(ports=ports, model=model, extra_env=env, endpoints=ENDPOINTS, log_dir=log_dir,
                         services=("kb", "actions", "rasa"))
            started = time.perf_counter()
            core.start()
            TIMINGS["start KB + actions + Rasa (incl. warm-up)"] = time.perf_counter() - started
        bridge = Stack(ports=ports, model=placeholder, extra_env=env, endpoints=ENDPOINTS, log_dir=log_dir,
                       services=("bridge",))
        started = time.perf_counter()
        bridge.start()
        TIMINGS["start bridge"] = time.perf_counter() - started
    except BaseException:
        if core is not None:
            core.stop()
        dbs.drop_all()
        raise
    return ProductionStack(bridge=bridge, dbs=dbs, env=env, core=core, log_dir=log_dir)


def stop_stack(stack: ProductionStack) -> None:
    try:
        stack.bridge.stop()
        if stack.core is not None:
            stack.core.stop()
    finally:
        stack.dbs.drop_all()
