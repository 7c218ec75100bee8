"""Pure metrics of the jddc_dev benchmark: label mapping, reply outcomes, per-stratum report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
SMALLTALK = "smalltalk"
OUTCOMES = ("right_action", "kb_answer", "clarify", "wrong_answer", "out_of_scope")
ACCEPTABLE = frozenset({"right_action", "kb_answer", "clarify"})
STRATA = ("keyword", "random", "all")
TARGETS = {"intent_accuracy": 0.80, "shop_out_of_scope": 0.05, "acceptable": 0.90}


@dataclass(frozen=True)
class LabelMap:
    """jddc label -> accepted bot intents (accuracy) and further acceptable intents (replies)."""

    intents: Mapping[str, frozenset[str]]
    also_ok: Mapping[str, frozenset[str]]
    kb_intents: frozenset[str]
    reject_intents: frozenset[str]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> LabelMap:
        """Build from bench/data/jddc_intent_map.yaml; raises ValueError on a malformed file."""
        labels = raw.get("labels")
        kinds = raw.get("reply_kind") or {}
        if not isinstance(labels, Mapping) or not labels:
            raise ValueError("jddc intent map: `labels` must be a non-empty mapping")
        intents, also = {}, {}
        for label, spec in labels.items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("intents"), list):
                raise ValueError(f"jddc intent map: label {label!r} needs an `intents` list")
            intents[label] = frozenset(spec["intents"])
            also[label] = frozenset(spec.get("also_ok") or [])
        return cls(intents, also, frozenset(kinds.get("kb") or []),
                   frozenset(kinds.get("reject") or [OUT_OF_SCOPE]))

    def has_intent(self, label: str) -> bool:
        return bool(self.intents.get(label))

    def correct(self, label: str, predicted: str) -> bool:
        return predicted in self.intents.get(label, frozenset())


def reply_outcome(label: str, predicted: str, mapping: LabelMap) -> str:
    """What the customer receives for a message of ``label`` that the NLU read as ``predicted``.

    out_of_scope: the canned out-of-scope reply. clarify: nlu_fallback, i.e. the KB path answers
    or asks a clarifying question. kb_answer / right_action: an acceptable intent that the bot
    answers from the KB / with its own action. wrong_answer: any other intent.
    """
    if predicted in mapping.reject_intents:
        return "out_of_scope"
    if predicted == FALLBACK:
        return "clarify"
    if mapping.correct(label, predicted) or predicted in mapping.also_ok.get(label, frozenset()):
        return "kb_answer" if predicted in mapping.kb_intents else "right_action"
    return "wrong_answer"


@dataclass(frozen=True)
class Row:
    """One jddc_dev message as the bot read it (no text: results must not quote the data)."""

    id: int
    stratum: str
    label: str
    predicted: str


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarise(rows: Sequence[Row], mapping: LabelMap) -> dict[str, Any]:
    """Intent accuracy, per-label accuracy, shop out-of-scope share and reply outcomes."""
    scored = [r for r in rows if mapping.has_intent(r.label)]
    shop = [r for r in rows if r.label != OUT_OF_SCOPE]
    outcomes = Counter(reply_outcome(r.label, r.predicted, mapping) for r in rows)
    per_label: dict[str, dict[str, Any]] = {}
    for label in sorted({r.label for r in rows}):
        mine = [r for r in rows if r.label == label]
        ok = sum(mapping.correct(label, r.predicted) for r in mine)
        per_label[label] = {"n": len(mine),
                            "accuracy": _share(ok, len(mine)) if mapping.has_intent(label) else None,
                            "out_of_scope": _share(sum(r.predicted in mapping.reject_intents for r in mine),
                                                   len(mine))}
    return {
        "n": len(rows),
        "n_scored": len(scored),
        "intent_accuracy": _share(sum(mapping.correct(r.label, r.predicted) for r in scored), len(scored)),
        "shop_out_of_scope": _share(sum(r.predicted in mapping.reject_intents for r in shop), len(shop)),
        "fallback": _share(sum(r.predicted == FALLBACK for r in shop), len(shop)),
        "outcomes": {k: _share(outcomes[k], len(rows)) for k in OUTCOMES},
        "acceptable": _share(sum(outcomes[k] for k in ACCEPTABLE), len(rows)),
        "per_label": per_label,
        "confusions": Counter(f"{r.label} -> {r.predicted}" for r in scored
                              if not mapping.correct(r.label, r.predicted)).most_common(20),
    }


def report(rows: Sequence[Row], mapping: LabelMap) -> dict[str, dict[str, Any]]:
    """``summarise`` per stratum (keyword / random / all), with and without smalltalk."""
    out: dict[str, dict[str, Any]] = {}
    for stratum in STRATA:
        subset = [r for r in rows if stratum == "all" or r.stratum == stratum]
        out[stratum] = {"with_smalltalk": summarise(subset, mapping),
                        "without_smalltalk": summarise([r for r in subset if r.label != SMALLTALK], mapping)}
    return out
