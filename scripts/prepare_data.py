"""Set-up step after the venvs: encoder folder, demo shop, knowledge base, emotion model, bridge DB."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _step(label: str, fn: Callable[[], object]) -> None:
    started = time.monotonic()
    print(f"[setup] {label} …", flush=True)
    fn()
    print(f"[setup] {label}: done in {time.monotonic() - started:.1f}s", flush=True)


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from scripts.stack import load_secrets

    os.environ.update({k: v for k, v in load_secrets().items() if k not in os.environ})

    from handoff.assess.train import ensure_model as ensure_emotion_model
    from handoff.cli import main as handoff_cli
    from kb.setup import prepare_demo as prepare_kb
    from shop.setup import prepare_demo as prepare_shop

    _step("demo shop database", prepare_shop)
    _step("encoder + knowledge base index", lambda: prepare_kb(ROOT))
    _step("emotion model", ensure_emotion_model)
    _step("handoff bridge database and demo agents", lambda: handoff_cli(["setup-demo"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
