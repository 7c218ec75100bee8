"""Default file locations of the handoff decision, derived from the repository root and CS_VAR_DIR."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent


def default_config_path() -> Path:
    """$HANDOFF_CONFIG or conf/handoff.yaml in the repository."""
    env = os.environ.get("HANDOFF_CONFIG")
    return Path(env) if env else REPO_ROOT / "conf" / "handoff.yaml"


def default_model_path() -> Path:
    """Trained emotion model: <var>/models/emotion.npz ($CS_VAR_DIR moves <var>)."""
    env = os.environ.get("CS_VAR_DIR")
    var = Path(env) if env else REPO_ROOT / "var"
    return var / "models" / "emotion.npz"


def training_data_path() -> Path:
    """The project's own labelled emotion examples shipped with the package."""
    return PACKAGE_DIR / "data" / "emotion_train.jsonl"


def dev_data_path() -> Path:
    """Separate labelled emotion examples used only to calibrate the score and measure it."""
    return PACKAGE_DIR / "data" / "emotion_dev.jsonl"
