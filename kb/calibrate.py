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
    """Reject at least ``offtopic_rejected`` of the off-topic set; when the KB's leave-one-out
    questions allow, move up towards the score that still keeps ``loo_kept`` of them."""

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
    """The off-topic cut, raised half-way to the leave-one-out keep point when that lies above it."""
    if not len(off_scores):
        raise ValueError("calibration needs off-topic scores")
    cut = offtopic_cut(off_scores, rule.offtopic_rejected)
    ins = np.asarray(loo_scores, dtype=np.float64)
    keep_point = float(np.quantile(ins, 1.0 - rule.loo_kept)) if len(ins) else cut
    threshold = (cut + keep_point) / 2 if keep_point > cut else cut
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


def loo_scores(kb: KnowledgeBase, rows: Sequence[int]) -> list[float]:
    """Scope score of each row's own text (its stored vector) searched with that row left out."""
    assert kb.index is not None
    vecs = kb.index.row_vectors(list(rows))
    out = []
    for rid, vec in zip(rows, vecs, strict=True):
        row = kb.index.row(rid)
        result = kb.search_vector(vec[None, :], row.text, top_k=1, lang=row.lang, exclude_row=rid)
        out.append(float(result["scope_score"]))
    return out


def offtopic_scores(kb: KnowledgeBase, vectors: np.ndarray, texts: Sequence[str]) -> list[float]:
    """Scope scores of the off-topic sentences (each left out of the anchors when they are the anchors)."""
    same = kb.settings.anchors and data_file(kb.settings.anchor_set) == OFFTOPIC_FILE
    return [float(kb.search_vector(vec[None, :], text, top_k=1, exclude_anchor=i if same else None)["scope_score"])
            for i, (vec, text) in enumerate(zip(vectors, texts, strict=True))]


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
