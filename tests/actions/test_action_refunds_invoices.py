"""Refund status (breakdown, bank timing, late refunds chased via a human) and invoices."""

from __future__ import annotations

from action_helpers import make_tracker, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.invoices import ActionInvoice
from actions.refunds import ActionRefundStatus


def run(action, tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    return d, action.run(d, tracker, {})


def test_refund_in_progress_breakdown_and_timing(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d, events = run(ActionRefundStatus(), make_tracker("refund_status", lang="en", customer_id="C1002",
                                                       slots={"order_id": "E1002000002"}))
    out = texts(d)
    refund = services.shop.get_order("E1002000002").refunds[0]
    assert f"¥{refund.total:,.2f}" in out and "items" in out and "shipping" in out and "coupon" in out
    assert "WeChat" in out and "24 hours" in out
    assert not bridge.notices and not any(e.get("event") == "pause" for e in events)


def test_late_refund_is_chased_and_handed_to_a_human(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d, events = run(ActionRefundStatus(), make_tracker("refund_status", lang="en", customer_id="C1005",
                                                       slots={"order_id": "E1005000002"}, sender="late-1"))
    out = texts(d)
    assert "banks differ" in out and "chasing" in out and "human agent" in out
    assert bridge.notices == [{"conversation_id": "late-1", "reason": "late_refund",
                               "detail": bridge.notices[0]["detail"], "intent": "refund_status"}]
    assert bridge.auth == ["Bearer svc-token"]
    assert any(e.get("event") == "pause" for e in events)


def test_issued_invoice_and_how_to_request(services: Services) -> None:
    d, _ = run(ActionInvoice(), make_tracker("invoice", slots={"order_id": "E1001000005"}))
    assert "已于" in texts(d) and "开具" in texts(d)
    d, _ = run(ActionInvoice(), make_tracker("invoice", slots={"order_id": "E1001000004"}))
    assert "申请开票" in texts(d)
    d, _ = run(ActionInvoice(), make_tracker("invoice", customer_id="C1003", slots={"order_id": "E1003000001"}))
    assert "增值税专用发票" in texts(d) and "正在开具" in texts(d)
