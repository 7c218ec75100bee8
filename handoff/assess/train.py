"""Train the emotion model from the project's own examples (idempotent): python -m handoff.assess.train [--force]."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import load_config
from .model import FEATURE_VERSION, Encoder, features, read_meta, save_model, shared_use_encoder
from .paths import default_model_path, training_data_path

C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class TrainingDataError(ValueError):
    """A line of the training file is invalid (message names file and line)."""


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    lang: str


def read_examples(path: Path) -> list[Example]:
    """Parse `{"text": str, "label": 0|1, "lang": "zh"|"en"}` lines."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainingDataError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise TrainingDataError(f"{path}:{n}: text: must be a non-empty string")
        if row.get("label") not in (0, 1):
            raise TrainingDataError(f"{path}:{n}: label: must be 0 or 1")
        if row.get("lang") not in ("zh", "en"):
            raise TrainingDataError(f"{path}:{n}: lang: must be zh or en")
        out.append(Example(row["text"], int(row["label"]), row["lang"]))
    return out


def data_digest(path: Path) -> str:
    """Fingerprint of the training data and feature definition (decides whether to retrain)."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(FEATURE_VERSION.encode())
    return digest.hexdigest()


def train(data_path: Path, model_path: Path, encoder: Encoder) -> dict[str, object]:
    """Fit logistic regression (C picked by 5-fold CV on the training data) and save it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    started = time.perf_counter()
    examples = read_examples(data_path)
    swearing = load_config().anger.swearing
    x = features([e.text for e in examples], encoder, swearing)
    y = np.asarray([e.label for e in examples])
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    best: tuple[float, float, float] = (float("inf"), C_GRID[0], 0.0)  # (log-loss, C, accuracy)
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        pred = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
        loss = float(log_loss(y, pred))
        best = min(best, (loss, c, float(np.mean((pred >= 0.5) == y))))
    final = LogisticRegression(C=best[1], max_iter=2000, class_weight="balanced").fit(x, y)
    meta: dict[str, object] = {
        "feature_version": FEATURE_VERSION,
        "encoder": encoder.name,
        "data_sha256": data_digest(data_path),
        "examples": len(examples),
        "positives": int(y.sum()),
        "C": best[1],
        "cv_log_loss": round(best[0], 4),
        "cv_accuracy": round(best[2], 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
    save_model(model_path, final.coef_[0], float(final.intercept_[0]), meta)
    return meta


def ensure_model(model_path: Path | None = None, data_path: Path | None = None, force: bool = False) -> Path:
    """Train unless a model built from the same data and features already exists; returns its path."""
    model_path = model_path or default_model_path()
    data_path = data_path or training_data_path()
    if not force and read_meta(model_path).get("data_sha256") == data_digest(data_path):
        return model_path
    train(data_path, model_path, shared_use_encoder())
    return model_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.assess.train", description=__doc__)
    parser.add_argument("--force", action="store_true", help="retrain even if the model is up to date")
    parser.add_argument("--out", type=Path, default=None, help="model file (default <var>/models/emotion.npz)")
    args = parser.parse_args(argv)
    try:
        path = ensure_model(args.out, force=args.force)
    except (TrainingDataError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"model": str(path), **read_meta(path)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
