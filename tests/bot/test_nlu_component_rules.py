"""Unit tests of the pure rules behind the custom NLU components (tokenizer filter, scope gate)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bot" / "components" / "text_rules.py"
_SPEC = importlib.util.spec_from_file_location("text_rules", _PATH)
assert _SPEC and _SPEC.loader
rules = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(rules)  # loaded by path: bot.components imports Rasa, absent in this venv


@pytest.mark.parametrize("token, kept", [
    ("运费险", True), ("E2026110001", True), ("order", True), ("1234", True),
    (" ", False), ("，", False), ("?!", False), ("", False), ("～～", False),
])
def test_keep_token(token, kept):
    assert rules.keep_token(token) is kept


@pytest.mark.parametrize("best_in, best_oos, expected", [
    (0.80, 0.30, False),  # close to a shop example
    (0.30, 0.20, True),   # nothing in scope is close
    (0.60, 0.70, True),   # an out-of-scope example is clearly closer
    (0.60, 0.64, False),  # within the margin: keep the classifier's decision
])
def test_is_out_of_scope(best_in, best_oos, expected):
    assert rules.is_out_of_scope(best_in, best_oos, min_similarity=0.45, oos_margin=0.05) is expected


@pytest.mark.parametrize("text, value", [
    ("收到就破损了", "quality"), ("屏幕坏的", "quality"), ("你们发错了", "quality"),
    ("里面少发了一个", "quality"), ("東西壞了", "quality"), ("it came broken", "quality"),
    ("the thing is faulty", "quality"), ("you sent me the wrong item", "quality"),
    ("不喜欢这个颜色", "personal"), ("我拍错了", "personal"), ("鞋子小了", "personal"),
    ("穿上不合适", "personal"), ("I simply changed my mind", "personal"), ("it's too small", "personal"),
    ("I ordered by mistake", "personal"), ("我要退货", None), ("how do I return this", None),
])
def test_classify_return_reason(text, value):
    assert rules.classify_return_reason(text) == value


def test_order_number_keeps_a_message_in_scope():
    entities = [{"entity": "lang", "value": "zh"}, {"entity": "order_id", "value": "E1004000002"}]
    assert rules.has_scope_entity(entities, ["order_id"]) is True
    assert rules.has_scope_entity(entities[:1], ["order_id"]) is False
    assert rules.has_scope_entity(None, ["order_id"]) is False


@pytest.mark.parametrize("text, expected", [
    ("发票类咨询 订单号", True), ("我的快递呢", True), ("where is my refund", True),
    ("明天会下雨吗", False), ("tell me a joke", False), ("", False),
])
def test_shop_terms_keep_a_message_in_scope(text, expected):
    assert rules.has_shop_term(text, ["发票", "快递", "订单", "refund"]) is expected
