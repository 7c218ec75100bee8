"""Unit tests of the jddc_dev benchmark's pure metrics (bench/jddc_metrics.py; no Rasa, no data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("jddc_metrics", ROOT / "bench" / "jddc_metrics.py")
assert SPEC and SPEC.loader
jm = importlib.util.module_from_spec(SPEC)
sys.modules["jddc_metrics"] = jm  # dataclasses look the module up
SPEC.loader.exec_module(jm)

MAP = jm.LabelMap.from_dict({
    "labels": {"smalltalk": {"intents": ["greet", "thank"]},
               "invoice": {"intents": ["invoice"]},
               "after_sales_repair": {"intents": ["after_sales_repair"]},
               "complaint": {"intents": ["complaint"], "also_ok": ["ask_human"]},
               "other_shop": {"intents": []}},
    "reply_kind": {"kb": ["after_sales_repair"], "reject": ["out_of_scope"]}})


@pytest.mark.parametrize("label, predicted, outcome", [
    ("invoice", "invoice", "right_action"),
    ("after_sales_repair", "after_sales_repair", "kb_answer"),
    ("invoice", "nlu_fallback", "clarify"),
    ("invoice", "out_of_scope", "out_of_scope"),
    ("invoice", "track_parcel", "wrong_answer"),
    ("complaint", "ask_human", "right_action"),  # acceptable reply, not a correct intent
    ("other_shop", "invoice", "wrong_answer"),
    ("other_shop", "nlu_fallback", "clarify"),
])
def test_reply_outcome(label, predicted, outcome):
    assert jm.reply_outcome(label, predicted, MAP) == outcome


def test_summary_scores_only_labels_with_a_bot_intent():
    rows = [jm.Row(1, "random", "invoice", "invoice"), jm.Row(2, "random", "invoice", "out_of_scope"),
            jm.Row(3, "keyword", "complaint", "ask_human"), jm.Row(4, "random", "other_shop", "out_of_scope"),
            jm.Row(5, "random", "smalltalk", "thank")]
    s = jm.summarise(rows, MAP)
    assert s["n"] == 5 and s["n_scored"] == 4
    assert s["intent_accuracy"] == 0.5  # invoice ok, invoice rejected, complaint->ask_human, smalltalk ok
    assert s["shop_out_of_scope"] == 0.4  # 2 of 5 shop messages rejected, other_shop included
    assert s["acceptable"] == 0.6
    assert s["per_label"]["other_shop"]["accuracy"] is None
    rep = jm.report(rows, MAP)
    assert rep["keyword"]["with_smalltalk"]["n"] == 1
    assert rep["all"]["without_smalltalk"]["n"] == 4


def test_shipped_map_covers_every_jddc_label_and_is_valid():
    raw = yaml.safe_load((ROOT / "bench" / "data" / "jddc_intent_map.yaml").read_text(encoding="utf-8"))
    mapping = jm.LabelMap.from_dict(raw)
    labels = {"smalltalk", "track_parcel", "inform", "invoice", "return_goods", "other_shop", "product_question",
              "ask_human", "coupon_price_protection", "order_status", "cancel_order", "after_sales_repair",
              "change_address", "delivery_delay", "exchange_goods", "refund_status", "complaint",
              "payment_account", "shipping_insurance", "out_of_scope"}
    assert set(mapping.intents) == labels
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    bot_intents = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    used = set().union(*mapping.intents.values(), *mapping.also_ok.values(), mapping.kb_intents)
    assert used <= bot_intents, used - bot_intents


def test_malformed_map_is_rejected():
    with pytest.raises(ValueError):
        jm.LabelMap.from_dict({"labels": {"invoice": {"intent": "invoice"}}})
