"""Retrieval and scope metrics (Recall@k, MRR, out-of-scope precision/recall) and threshold tuning."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb.knowledge_base import KnowledgeBase
from kb.lang import detect_lang
from kb.validate import LoadError


@dataclass(frozen=True)
class LabelledQuery:
    """A customer query with its gold entry id (empty gold for out-of-scope queries)."""

    text: str
    gold: str
    lang: str
    style: str = "plain"


def load_queries(path: Path, need_gold: bool = True) -> list[LabelledQuery]:
    """Read a JSON list of {"text", "gold"?, "lang"?, "style"?}; errors name record and field."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError("file not found", name) from None
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", name, line=exc.lineno) from None
    if not isinstance(data, list):
        raise LoadError("expected a JSON list of objects", name, line=1)
    out = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise LoadError("each query must be an object", name, record=i)
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise LoadError("is required and must be a non-empty string", name, record=i, field="text")
        gold = item.get("gold", "")
        if need_gold and (not isinstance(gold, str) or not gold.strip()):
            raise LoadError("is required (the expected entry id)", name, record=i, field="gold")
        lang = item.get("lang") or detect_lang(text)
        out.append(LabelledQuery(text.strip(), str(gold or "").strip(), lang, item.get("style") or "plain"))
    return out


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, Any]:
    """Recall@1, Recall@5 and MRR from 1-based gold ranks (None = not in the list)."""
    n = len(ranks)
    if n == 0:
        return {"n": 0, "recall@1": math.nan, "recall@5": math.nan, "mrr": math.nan}
    return {"n": n,
            "recall@1": sum(1 for r in ranks if r == 1) / n,
            "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
            "mrr": sum(1.0 / r for r in ranks if r is not None) / n}


def scope_metrics(in_scores: Sequence[float], ood_scores: Sequence[float],
                  threshold: float) -> dict[str, Any]:
    """Out-of-scope as the positive class: precision/recall of "reject", plus in-scope kept."""
    rejected_ood = sum(1 for s in ood_scores if s < threshold)
    rejected_in = sum(1 for s in in_scores if s < threshold)
    rejected = rejected_ood + rejected_in
    return {
        "threshold": threshold,
        "ood_precision": rejected_ood / rejected if rejected else math.nan,
        "ood_recall": rejected_ood / len(ood_scores) if ood_scores else math.nan,
        "in_scope_kept": 1 - rejected_in / len(in_scores) if in_scores else math.nan,
    }


def tune_threshold(in_scores: Sequence[float], ood_scores: Sequence[float],
                   min_ood_rejected: float = 0.95, mode: str = "target") -> tuple[float, dict[str, Any]]:
    """Pick the threshold keeping most in-scope queries while rejecting ≥ ``min_ood_rejected``
    of out-of-scope ones ("target"), or maximising their mean ("balanced")."""
    ins = np.sort(np.asarray(in_scores, dtype=np.float64))
    oods = np.sort(np.asarray(ood_scores, dtype=np.float64))[::-1]
    if len(ins) == 0 or len(oods) == 0:
        raise ValueError("tuning needs both in-scope and out-of-scope scores")
    if mode == "target":
        allowed = int(math.floor((1.0 - min_ood_rejected) * len(oods) + 1e-9))
        must_reject = oods[allowed] if allowed < len(oods) else -1.0
        above = ins[ins > must_reject]
        threshold = (must_reject + above[0]) / 2 if len(above) else must_reject + 1e-4
    elif mode == "balanced":
        candidates = np.unique(np.concatenate([ins, oods]))
        cuts = (candidates[:-1] + candidates[1:]) / 2 if len(candidates) > 1 else candidates
        balanced = [(np.mean(ins >= c) + np.mean(oods < c)) / 2 for c in cuts]
        threshold = float(cuts[int(np.argmax(balanced))])
    else:
        raise ValueError(f"unknown tuning mode {mode!r}")
    details = scope_metrics(list(ins), list(oods), float(threshold))
    details.update({"mode": mode, "min_ood_rejected": min_ood_rejected,
                    "n_in_scope": len(ins), "n_ood": len(oods)})
    return float(threshold), details


def run_queries(kb: KnowledgeBase, queries: Sequence[LabelledQuery],
                top_k: int = 5) -> list[tuple[int | None, float, list[str]]]:
    """(gold rank, scope score, hit ids) for each query; encodes all queries in one batch."""
    if not queries:
        return []
    encoder = kb._need_encoder()
    vectors = encoder.encode([q.text for q in queries], kind="query")
    out = []
    for query, vec in zip(queries, vectors, strict=False):
        result = kb.search_vector(vec[None, :], query.text, top_k)
        ids = [h["id"] for h in result["hits"]]
        rank = ids.index(query.gold) + 1 if query.gold in ids else None
        out.append((rank, result["scope_score"] if ids else -1.0, ids))
    return out


def _group(queries: Sequence[LabelledQuery], ranks: Sequence[int | None], attr: str) -> dict[str, Any]:
    groups: dict[str, list[int | None]] = {}
    for q, r in zip(queries, ranks, strict=False):
        groups.setdefault(getattr(q, attr), []).append(r)
    return {k: retrieval_metrics(v) for k, v in sorted(groups.items())}


def evaluate(kb: KnowledgeBase, queries: Sequence[LabelledQuery],
             ood: Sequence[LabelledQuery] = (), threshold: float | None = None) -> dict[str, Any]:
    """Full report: overall / per-language / per-style retrieval, and scope metrics if ``ood``."""
    results = run_queries(kb, queries, top_k=5)
    ranks = [r for r, _, _ in results]
    report: dict[str, Any] = {
        "overall": retrieval_metrics(ranks),
        "by_lang": _group(queries, ranks, "lang"),
        "by_style": _group(queries, ranks, "style"),
        "misses": [{"text": q.text, "gold": q.gold, "got": ids[:3]}
                   for q, (r, _, ids) in zip(queries, results, strict=False) if r != 1][:50],
    }
    if ood:
        thr = kb.threshold if threshold is None else threshold
        in_scores = [s for _, s, _ in results]
        ood_scores = [s for _, s, _ in run_queries(kb, ood, top_k=1)]
        report["scope"] = scope_metrics(in_scores, ood_scores, thr)
        report["scope_by_lang"] = {
            lang: scope_metrics([s for q, s in zip(queries, in_scores, strict=False) if q.lang == lang],
                                [s for q, s in zip(ood, ood_scores, strict=False) if q.lang == lang], thr)
            for lang in sorted({q.lang for q in queries} | {q.lang for q in ood})}
    return report


def scores_for_tuning(kb: KnowledgeBase, queries: Sequence[LabelledQuery],
                      ood: Sequence[LabelledQuery]) -> tuple[list[float], list[float]]:
    """Scope scores of in-scope and out-of-scope queries."""
    return ([s for _, s, _ in run_queries(kb, queries, top_k=1)],
            [s for _, s, _ in run_queries(kb, ood, top_k=1)])
