"""Scope evidence: a member-weighted cosine to the best KB rows minus the same cosine to out-of-scope anchors."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from kb.encoders import Encoder

DATA_DIR = Path(__file__).resolve().parent / "data"
ANCHORS_FILE = DATA_DIR / "scope_anchors.yaml"
OFFTOPIC_FILE = DATA_DIR / "offtopic.yaml"


def data_file(name: str) -> Path:
    """A sentence list shipped in kb/data (``scope_anchors``, ``offtopic``)."""
    return DATA_DIR / f"{name}.yaml"


@lru_cache(maxsize=4)
def load_anchors(path: Path = ANCHORS_FILE) -> tuple[str, ...]:
    """Hand-written out-of-scope sentences (both languages) shipped with the library."""
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of language -> list of sentences")
    return tuple(str(t) for lang in sorted(raw) for t in (raw[lang] or ()))


def anchors_hash(anchors: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(anchors).encode("utf-8")).hexdigest()[:16]


def member_layout(encoder: Encoder) -> list[tuple[slice, float]]:
    """(slice of the vector, fusion weight) per member; a plain encoder is one member of weight 1."""
    members = getattr(encoder, "members", None)
    weights = getattr(encoder, "weights", None)
    if not members or not weights:
        return [(slice(0, encoder.dim), 1.0)]
    out, start = [], 0
    for member, weight in zip(members, weights, strict=True):
        out.append((slice(start, start + member.dim), float(weight)))
        start += member.dim
    return out


def mixed_cosine(query: np.ndarray, vectors: np.ndarray, layout: Sequence[tuple[slice, float]],
                 mix: Sequence[float]) -> np.ndarray:
    """Per row: sum_i mix_i * cosine of member i, undoing the fusion weights baked into the vectors."""
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(layout) == 1:
        return np.asarray(vectors @ q, dtype=np.float32)
    total = np.zeros(len(vectors), dtype=np.float32)
    mix_sum = sum(mix[: len(layout)]) or 1.0
    for (part, weight), m in zip(layout, mix, strict=False):
        if weight > 0 and m > 0:
            total += (m / mix_sum) * (vectors[:, part] @ q[part]) / weight
    return total


def scope_score(best_kb: float, query: np.ndarray, anchor_vectors: np.ndarray | None,
                layout: Sequence[tuple[slice, float]], mix: Sequence[float]) -> float:
    """How much closer the query is to the KB than to any out-of-scope anchor (higher = in scope)."""
    if anchor_vectors is None or len(anchor_vectors) == 0:
        return float(best_kb)
    return float(best_kb - float(np.max(mixed_cosine(query, anchor_vectors, layout, mix))))
