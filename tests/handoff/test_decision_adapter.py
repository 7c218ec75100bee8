"""The adapter around the real handoff.assess, and log masking."""

from __future__ import annotations

import logging

import pytest

from handoff.clients.shop import CustomerInfo
from handoff.decision import Turn, fallback_assessor, load_assessor
from handoff.masking import MaskingFilter


def test_real_decision_through_the_adapter() -> None:
    pytest.importorskip("handoff.assess")
    assess = load_assessor()
    regular = CustomerInfo(id="C1004", name="王强", phone="13600001004", vip_tier="none", lang="zh")
    calm = assess([Turn("customer", "我的快递到哪了"), Turn("bot", "在路上了")], regular, [])
    assert calm.handoff is False and calm.reasons == ()
    explicit = assess([Turn("customer", "我的快递到哪了"), Turn("bot", "在路上了"), Turn("customer", "转人工")], None, [])
    assert explicit.handoff is True and "explicit_human" in explicit.codes
    assert explicit.reasons[0]["messages"][0]["text"] == "转人工"


def test_fallback_assessor_only_knows_explicit_requests() -> None:
    assert fallback_assessor([Turn("customer", "I want a real person")], None, []).codes == ["explicit_human"]
    assert fallback_assessor([Turn("customer", "气死我了")], None, []).handoff is False


def test_log_records_are_masked() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "customer %s phone %s", ("C1001", "13800001001"), None)
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "customer C1001 phone 138****1001"
