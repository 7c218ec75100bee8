"""Default locations derived from the repository root and the CS_VAR_DIR / KB_DIR variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Runtime data directory: $CS_VAR_DIR or <repo>/var."""
    env = os.environ.get("CS_VAR_DIR")
    return Path(env) if env else REPO_ROOT / "var"


def default_kb_dir() -> Path:
    """Knowledge base directory: $KB_DIR or <var>/kb."""
    env = os.environ.get("KB_DIR")
    return Path(env) if env else var_dir() / "kb"


def default_model_dir() -> Path:
    """Folder of the rebuilt e5-small model."""
    return var_dir() / "models" / "e5-small"


def default_config_path() -> Path:
    """conf/kb.yaml in the repository."""
    return REPO_ROOT / "conf" / "kb.yaml"
