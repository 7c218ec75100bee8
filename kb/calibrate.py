"""Automatic per-KB in-scope threshold: leave-one-out scores of the KB's own questions against
the scores of a generic off-topic set shipped with the library (kb/data/offtopic.yaml)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kb.scope import OFFTOPIC_FILE, anchors_hash, data_file, load_anchors

if TYPE_CHECKING:
    from kb.knowledge_base import KnowledgeBase

CALIBRATION_VERSION = 1
QUESTION_SOURCES = ("question", "paraphrase")


@dataclass(frozen=True)
class CalibrationRule:
    """Half-way between the score rejecting ``offtopic_rejected`` of the generic off-topic set and the
    score keeping ``loo_kept`` of the KB's own questions asked leave-one-out (chosen on the demo's dev
    set and the dev shop, bench/kb/select.py)."""

    offtopic_rejected: float = 0.97
    loo_kept: float = 0.95
    max_rows: int = 600


def load_offtopic() -> tuple[str, ...]:
    """The generic off-topic sentences (both languages)."""
    return load_anchors(OFFTOPIC_FILE)


def offtopic_cut(off_scores: Sequence[float], rejected: float) -> float:
    """Lowest threshold that rejects at least ``rejected`` of the off-topic scores (score < threshold)."""
    desc = np.sort(np.asarray(off_scores, dtype=np.float64))[::-1]
    allowed = int(math.floor((1.0 - rejected) * len(desc) + 1e-9))
    return float(desc[allowed]) + 1e-4 if allowed < len(desc) else float(desc[-1])


def choose_threshold(loo_scores: Sequence[float], off_scores: Sequence[float],
                     rule: CalibrationRule) -> tuple[float, dict[str, Any]]:
    """The midpoint of the off-topic cut and the leave-one-out keep point: a KB whose own questions
    stay far above off-topic text gets a stricter threshold, one whose questions (few, no paraphrases)
    drift towards it a more lenient one."""
    if not len(off_scores):
        raise ValueError("calibration needs off-topic scores")
    cut = offtopic_cut(off_scores, rule.offtopic_rejected)
    ins = np.asarray(loo_scores, dtype=np.float64)
    keep_point = float(np.quantile(ins, 1.0 - rule.loo_kept)) if len(ins) else cut
    threshold = (cut + keep_point) / 2
    offs = np.asarray(off_scores, dtype=np.float64)
    return threshold, {
        "threshold": round(threshold, 4), "offtopic_cut": round(cut, 4), "loo_keep_point": round(keep_point, 4),
        "offtopic_rejected": round(float(np.mean(offs < threshold)), 4),
        "loo_kept": round(float(np.mean(ins >= threshold)), 4) if len(ins) else None,
        "n_loo": int(len(ins)), "n_offtopic": int(len(offs)),
    }


def question_rows(kb: KnowledgeBase, max_rows: int) -> list[int]:
    """Ids of the FAQ question/paraphrase rows, an even sample of at most ``max_rows``."""
    index = kb.index
    if index is None:
        return []
    rows = [rid for eid in index.entry_ids() for rid in index.entry_row_ids(eid)
            if index.row(rid).source in QUESTION_SOURCES and kb.entries[eid].kind == "faq"]
    if len(rows) > max_rows:
        step = len(rows) / max_rows
        rows = [rows[int(i * step)] for i in range(max_rows)]
    return rows


def _best_mixed(kb: KnowledgeBase, queries: np.ndarray, targets: np.ndarray, skip: Sequence[int | None],
                block: int = 8192) -> np.ndarray:
    """Per query, the highest scope-mix cosine to any target row except its own ``skip`` position."""
    layout = kb._layout(kb.index) if kb.index is not None else [(slice(0, queries.shape[1]), 1.0)]
    mix = kb.settings.scope_mix
    best = np.full(len(queries), -np.inf, dtype=np.float32)
    own = np.asarray([-1 if s is None else s for s in skip], dtype=np.int64)
    for start in range(0, len(targets), block):
        part = targets[start:start + block]
        if len(layout) == 1:
            sims = queries @ part.T
        else:
            mix_sum = sum(mix[: len(layout)]) or 1.0
            sims = np.zeros((len(queries), len(part)), dtype=np.float32)
            for (cols, weight), m in zip(layout, mix, strict=False):
                if weight > 0 and m > 0:
                    sims += (m / mix_sum) * (queries[:, cols] @ part[:, cols].T) / weight
        hit = (own >= start) & (own < start + len(part))
        sims[np.nonzero(hit)[0], own[hit] - start] = -np.inf
        best = np.maximum(best, sims.max(axis=1))
    return best


def scope_scores(kb: KnowledgeBase, queries: np.ndarray, skip_rows: Sequence[int | None],
                 skip_anchors: Sequence[int | None]) -> list[float]:
    """The search path's scope score (best KB cosine under the scope mix, minus the best anchor cosine
    when anchors are on) for many query vectors at once, each leaving out one row and/or one anchor."""
    assert kb.index is not None
    ids = kb.index.row_ids()
    position = {rid: i for i, rid in enumerate(ids)}
    vecs, _ = kb.index.vectors()
    best = _best_mixed(kb, queries, vecs, [None if r is None else position[r] for r in skip_rows])
    anchors = kb.anchor_vectors()
    if anchors is not None and len(anchors):
        best = best - _best_mixed(kb, queries, anchors, skip_anchors)
    return [float(x) for x in best]


def loo_scores(kb: KnowledgeBase, rows: Sequence[int]) -> list[float]:
    """Scope score of each row's own text (its stored vector) with that row left out of the index."""
    assert kb.index is not None
    if not rows:
        return []
    return scope_scores(kb, kb.index.row_vectors(list(rows)), list(rows), [None] * len(rows))


def offtopic_scores(kb: KnowledgeBase, vectors: np.ndarray, texts: Sequence[str]) -> list[float]:
    """Scope scores of the off-topic sentences (each left out of the anchors when they are the anchors)."""
    same = kb.settings.anchors and data_file(kb.settings.anchor_set) == OFFTOPIC_FILE
    skip = list(range(len(texts))) if same else [None] * len(texts)
    return scope_scores(kb, np.asarray(vectors, dtype=np.float32), [None] * len(texts), skip)


def calibration_stamp(kb: KnowledgeBase, rule: CalibrationRule) -> dict[str, Any]:
    """What a calibrated threshold depends on: content, encoder, search settings, the sentence sets."""
    s = kb.settings
    return {"version": CALIBRATION_VERSION, "content_hash": kb.content_hash(), "encoder": kb.manifest.get("encoder"),
            "settings": {"lexical": s.lexical, "product_name": s.product_name, "scope_mix": list(s.scope_mix),
                         "rank_mix": {k: list(v) for k, v in s.rank_mix}, "anchors": s.anchors,
                         "anchor_set": s.anchor_set, "answer_rows": s.answer_rows,
                         "answer_penalty": s.answer_penalty},
            "anchors_hash": anchors_hash(load_anchors(data_file(s.anchor_set))),
            "offtopic_hash": anchors_hash(load_offtopic()),
            "rule": {"offtopic_rejected": rule.offtopic_rejected, "loo_kept": rule.loo_kept,
                     "max_rows": rule.max_rows}}


def calibrate(kb: KnowledgeBase, rule: CalibrationRule,
              offtopic_vectors: np.ndarray | None = None) -> tuple[float, dict[str, Any]]:
    """Threshold for ``kb`` from its own questions (leave-one-out) and the generic off-topic set."""
    texts = load_offtopic()
    if offtopic_vectors is None:
        offtopic_vectors = kb._need_encoder().encode(list(texts), kind="query")
    rows = question_rows(kb, rule.max_rows)
    threshold, details = choose_threshold(loo_scores(kb, rows), offtopic_scores(kb, offtopic_vectors, texts), rule)
    details["stamp"] = calibration_stamp(kb, rule)
    return threshold, details
