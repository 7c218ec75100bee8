"""Pure metrics of the NLU benchmark: accuracy, macro-F1, entity scores, rejection sweeps."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

REJECT = ("out_of_scope", "nlu_fallback")
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Prediction:
    """One parsed message: final intent (after FallbackClassifier) and DIET's own top intent."""

    text: str
    gold: str
    lang: str
    final: str
    top: str
    confidence: float
    entities: tuple[tuple[str, str], ...]
    gold_entities: tuple[tuple[str, str], ...] = ()
    in_sim: float | None = None  # ScopeGate: similarity to the nearest in-scope training example
    oos_sim: float | None = None  # ScopeGate: similarity to the nearest out-of-scope example


def accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    """Share of (gold, predicted) pairs that agree."""
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0


def macro_f1(pairs: Sequence[tuple[str, str]]) -> float:
    """Macro-averaged F1 over the gold labels present in ``pairs``."""
    labels = sorted({g for g, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def final_label(pred: Prediction) -> str:
    """Final intent, with a fallback on an out-of-scope message counted as out_of_scope."""
    if pred.final == FALLBACK and pred.gold == "out_of_scope":
        return "out_of_scope"
    return pred.final


def rejected(pred: Prediction, threshold: float | None = None) -> bool:
    """Whether the bot declines the message (out_of_scope or fallback at ``threshold``)."""
    if threshold is None:
        return pred.final in REJECT
    return pred.top == "out_of_scope" or pred.confidence < threshold


def entity_scores(preds: Iterable[Prediction]) -> dict[str, dict[str, float]]:
    """Per entity type precision/recall/F1 on (type, value) pairs; `lang` is ignored."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for pred in preds:
        gold = Counter(pred.gold_entities)
        got = Counter(e for e in pred.entities if e[0] != "lang")
        for ent, n in (gold & got).items():
            counts[ent[0]]["tp"] += n
        for ent, n in (got - gold).items():
            counts[ent[0]]["fp"] += n
        for ent, n in (gold - got).items():
            counts[ent[0]]["fn"] += n
    out = {}
    for name, c in sorted(counts.items()):
        prec = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        rec = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[name] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                     "support": c["tp"] + c["fn"]}
    return out


def heldout_report(preds: Sequence[Prediction]) -> dict[str, Any]:
    """Accuracy and macro-F1 per language, final (with fallback) and raw DIET top intent."""
    report: dict[str, Any] = {}
    for lang in ("zh", "en", "all"):
        subset = [p for p in preds if lang == "all" or p.lang == lang]
        final = [(p.gold, final_label(p)) for p in subset]
        raw = [(p.gold, p.top) for p in subset]
        report[lang] = {"n": len(subset), "accuracy": round(accuracy(final), 4),
                        "macro_f1": round(macro_f1(final), 4),
                        "accuracy_raw": round(accuracy(raw), 4),
                        "macro_f1_raw": round(macro_f1(raw), 4)}
    in_scope = [p for p in preds if p.gold != "out_of_scope"]
    report["in_scope_accuracy"] = round(accuracy([(p.gold, p.final) for p in in_scope]), 4)
    report["confusions"] = Counter(
        f"{p.gold} -> {final_label(p)}" for p in preds if p.gold != final_label(p)
    ).most_common(25)
    report["errors"] = [
        {"text": p.text, "gold": p.gold, "pred": p.final, "conf": round(p.confidence, 3)}
        for p in preds if p.gold != final_label(p)
    ]
    report["entities"] = entity_scores(preds)
    return report


def threshold_sweep(heldout: Sequence[Prediction], oos: dict[str, Sequence[Prediction]],
                    thresholds: Sequence[float]) -> list[dict[str, float]]:
    """In-scope accuracy and out-of-scope rejection for each fallback threshold."""
    in_scope = [p for p in heldout if p.gold != "out_of_scope"]
    rows = []
    for t in thresholds:
        row = {"threshold": t, "in_scope_accuracy": round(sum(
            (not rejected(p, t)) and p.top == p.gold for p in in_scope) / max(len(in_scope), 1), 4)}
        for name, preds in oos.items():
            row[f"rejected_{name}"] = round(sum(rejected(p, t) for p in preds) / max(len(preds), 1), 4)
        rows.append(row)
    return rows


def gate_rejects(pred: Prediction, threshold: float, min_similarity: float, margin: float) -> bool:
    """Rejection by the classifier (out_of_scope / low confidence) or by the scope gate."""
    if rejected(pred, threshold):
        return True
    if pred.in_sim is None or pred.oos_sim is None:
        return False
    return pred.in_sim < min_similarity or pred.oos_sim - pred.in_sim > margin


def gate_sweep(heldout: Sequence[Prediction], oos: dict[str, Sequence[Prediction]], threshold: float,
               grid: Sequence[tuple[float, float]]) -> list[dict[str, float]]:
    """In-scope accuracy and out-of-scope rejection for scope-gate settings (min_similarity, margin)."""
    in_scope = [p for p in heldout if p.gold != "out_of_scope"]
    rows = []
    for min_sim, margin in grid:
        row = {"min_similarity": min_sim, "oos_margin": margin, "in_scope_accuracy": round(sum(
            (not gate_rejects(p, threshold, min_sim, margin)) and p.top == p.gold
            for p in in_scope) / max(len(in_scope), 1), 4)}
        for name, preds in oos.items():
            row[f"rejected_{name}"] = round(
                sum(gate_rejects(p, threshold, min_sim, margin) for p in preds) / max(len(preds), 1), 4)
        rows.append(row)
    return rows
