"""text_rules.clean_message: the ChatCleaner's pure part (loaded by path: no Rasa needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bot" / "components" / "text_rules.py"
_SPEC = importlib.util.spec_from_file_location("text_rules", _PATH)
assert _SPEC and _SPEC.loader
rules = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(rules)


def test_placeholders_cards_and_punctuation_runs_are_cleaned():
    text, ents = rules.clean_message("咨询订单号:[订单x] 订单金额:[金额x] 下单时间:[日期x] 發票類咨詢？？？？")
    assert "[" not in text and "？？？" not in text and "发票" in text
    assert ents == []


@pytest.mark.parametrize("oid", ["E2026000001", "E1000000000"])
def test_order_ids_survive_cleaning_and_spans_follow(oid):
    text = f"訂單{oid}到哪了？？？😀"
    start = text.index(oid)
    cleaned, ents = rules.clean_message(text, [{"entity": "order_id", "value": oid, "start": start,
                                                "end": start + len(oid)}])
    assert oid in cleaned
    assert cleaned[ents[0]["start"]:ents[0]["end"]] == oid
    assert "😀" not in cleaned and "订单" in cleaned


def test_a_span_that_would_not_survive_leaves_the_message_alone():
    text = "东西😀坏了"
    ents = [{"entity": "return_reason", "value": "quality", "start": 2, "end": 3}]  # the emoji itself
    assert rules.clean_message(text, ents) == (text, ents)


def test_intent_payloads_and_clean_text_are_unchanged():
    assert rules.clean_message('/inform_order_id{"order_id":"E2026110001"}')[0].startswith("/inform_order_id")
    assert rules.clean_message("我的快递到哪了") == ("我的快递到哪了", [])
