"""Unit tests of the NLU benchmark's pure metrics (bench/nlu_metrics.py; no Rasa needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "nlu_metrics", Path(__file__).resolve().parents[2] / "bench" / "nlu_metrics.py")
assert SPEC and SPEC.loader
nlu_metrics = importlib.util.module_from_spec(SPEC)
sys.modules["nlu_metrics"] = nlu_metrics  # dataclasses look the module up
SPEC.loader.exec_module(nlu_metrics)
Prediction = nlu_metrics.Prediction


def pred(gold: str, final: str, top: str | None = None, conf: float = 0.9, lang: str = "zh") -> Prediction:
    return Prediction(text="x", gold=gold, lang=lang, final=final, top=top or final,
                      confidence=conf, entities=())


def test_accuracy_and_macro_f1():
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "c")]
    assert nlu_metrics.accuracy(pairs) == 0.75
    # F1: a = 2/3, b = 2/3, c = 1
    assert nlu_metrics.macro_f1(pairs) == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert nlu_metrics.accuracy([]) == 0.0


def test_fallback_counts_as_correct_only_for_out_of_scope():
    assert nlu_metrics.final_label(pred("out_of_scope", "nlu_fallback")) == "out_of_scope"
    assert nlu_metrics.final_label(pred("invoice", "nlu_fallback")) == "nlu_fallback"


@pytest.mark.parametrize("p, threshold, expected", [
    (pred("out_of_scope", "out_of_scope"), None, True),
    (pred("out_of_scope", "nlu_fallback", top="invoice", conf=0.3), None, True),
    (pred("out_of_scope", "invoice"), None, False),
    (pred("out_of_scope", "invoice", conf=0.55), 0.6, True),
    (pred("out_of_scope", "invoice", conf=0.65), 0.6, False),
])
def test_rejected(p, threshold, expected):
    assert nlu_metrics.rejected(p, threshold) is expected


def test_threshold_sweep_trades_rejection_for_in_scope_accuracy():
    held = [pred("invoice", "invoice", conf=0.95), pred("greet", "greet", conf=0.55)]
    oos = {"set": [pred("out_of_scope", "invoice", conf=0.6), pred("out_of_scope", "out_of_scope")]}
    low, high = nlu_metrics.threshold_sweep(held, oos, [0.5, 0.7])
    assert low["in_scope_accuracy"] == 1.0 and low["rejected_set"] == 0.5
    assert high["in_scope_accuracy"] == 0.5 and high["rejected_set"] == 1.0


def test_entity_scores_ignore_lang():
    p = Prediction(text="x", gold="inform_order_id", lang="zh", final="inform_order_id", top="inform_order_id",
                   confidence=1.0, entities=(("order_id", "E2026110001"), ("lang", "zh")),
                   gold_entities=(("order_id", "E2026110001"), ("phone_last4", "1001")))
    scores = nlu_metrics.entity_scores([p])
    assert scores["order_id"]["f1"] == 1.0
    assert scores["phone_last4"]["recall"] == 0.0
    assert "lang" not in scores


def test_heldout_report_splits_languages():
    report = nlu_metrics.heldout_report([pred("greet", "greet"), pred("greet", "thank", lang="en")])
    assert report["zh"]["accuracy"] == 1.0 and report["en"]["accuracy"] == 0.0
    assert report["all"]["n"] == 2


def test_gate_sweep_uses_similarities():
    near = Prediction(text="x", gold="invoice", lang="zh", final="invoice", top="invoice", confidence=0.9,
                      entities=(), in_sim=0.8, oos_sim=0.3)
    far = Prediction(text="y", gold="out_of_scope", lang="en", final="invoice", top="invoice", confidence=0.9,
                     entities=(), in_sim=0.3, oos_sim=0.2)
    off, on = nlu_metrics.gate_sweep([near], {"set": [far]}, 0.5, [(0.0, 1.0), (0.5, 0.05)])
    assert off["rejected_set"] == 0.0 and on["rejected_set"] == 1.0
    assert off["in_scope_accuracy"] == on["in_scope_accuracy"] == 1.0
