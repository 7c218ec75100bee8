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
from .paths import default_model_path, dev_data_path, training_data_path

C_GRID = (0.5, 2.0, 8.0, 32.0)


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


def data_digest(path: Path, dev_path: Path | None = None) -> str:
    """Fingerprint of the training and calibration data and the feature definition (decides whether to retrain)."""
    digest = hashlib.sha256(path.read_bytes())
    if dev_path is not None and dev_path.exists():
        digest.update(dev_path.read_bytes())
    digest.update(FEATURE_VERSION.encode())
    return digest.hexdigest()


def calibrate(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (scale, shift) so that sigmoid(scale * logit + shift) matches the observed rate."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e4, max_iter=2000).fit(logits.reshape(-1, 1), labels)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def calibration_report(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """AUROC, expected calibration error (10 bins) and precision/recall at 0.5 and 0.8 on held-out data."""
    from sklearn.metrics import roc_auc_score

    bins = np.minimum((probs * 10).astype(int), 9)
    ece = sum(abs(float(probs[bins == b].mean()) - float(labels[bins == b].mean())) * float(np.mean(bins == b))
              for b in range(10) if np.any(bins == b))
    out = {"auroc": round(float(roc_auc_score(labels, probs)), 4), "ece": round(ece, 4)}
    for cut in (0.5, 0.8):
        pred = probs >= cut
        tp = float(np.sum(pred & (labels == 1)))
        out[f"precision@{cut}"] = round(tp / max(1.0, float(np.sum(pred))), 4)
        out[f"recall@{cut}"] = round(tp / max(1.0, float(np.sum(labels == 1))), 4)
    return out


def train(data_path: Path, model_path: Path, encoder: Encoder, dev_path: Path | None = None) -> dict[str, object]:
    """Fit logistic regression (C picked by 5-fold CV on the training data), calibrate it, and save it.

    Calibration (Platt scaling) is fitted on the separate dev file when there is one, else on the
    cross-validated logits of the training data.
    """
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
        model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, class_weight="balanced")
        pred = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
        loss = float(log_loss(y, pred))
        best = min(best, (loss, c, float(np.mean((pred >= 0.5) == y))))
    final = LogisticRegression(C=best[1], solver="liblinear", max_iter=2000, class_weight="balanced").fit(x, y)
    dev = read_examples(dev_path) if dev_path is not None and dev_path.exists() else []
    if dev:
        x_dev = features([e.text for e in dev], encoder, swearing)
        y_dev = np.asarray([e.label for e in dev])
        logits = final.decision_function(x_dev)
        scale, shift = calibrate(logits, y_dev)
        report = calibration_report(1.0 / (1.0 + np.exp(-(scale * logits + shift))), y_dev)
    else:
        model = LogisticRegression(C=best[1], solver="liblinear", max_iter=2000, class_weight="balanced")
        logits = cross_val_predict(model, x, y, cv=folds, method="decision_function")
        scale, shift = calibrate(logits, y)
        report = calibration_report(1.0 / (1.0 + np.exp(-(scale * logits + shift))), y)
    meta: dict[str, object] = {
        "feature_version": FEATURE_VERSION,
        "encoder": encoder.name,
        "data_sha256": data_digest(data_path, dev_path),
        "calibration_scale": round(scale, 6),
        "calibration_shift": round(shift, 6),
        "calibrated_on": "dev" if dev else "cross-validation",
        "calibration": report,
        "dev_examples": len(dev),
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
    dev_path = dev_data_path()
    if not force and read_meta(model_path).get("data_sha256") == data_digest(data_path, dev_path):
        return model_path
    train(data_path, model_path, shared_use_encoder(), dev_path)
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
