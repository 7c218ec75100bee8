"""Refund status (breakdown, bank timing, late refunds chased via a human) and invoices."""

from __future__ import annotations

from action_helpers import facts, make_tracker, said, texts
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
    refund = services.shop.get_order("E1002000002").refunds[0]
    shown = facts(d, "utter_refund")
    assert shown["total"] == f"¥{refund.total:,.2f}" and shown["refund_method"] == "wechat"
    assert {"item", "shipping", "coupon"} <= set(shown)
    assert said(d)[-1].startswith("utter_refund_timing_fast") and "WeChat" in texts(d, "en")
    assert not bridge.notices and "utter_refund_late" not in said(d)


def test_late_refund_is_chased_and_handed_to_a_human(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d, events = run(ActionRefundStatus(), make_tracker("refund_status", lang="en", customer_id="C1005",
                                                       slots={"order_id": "E1005000002"}, sender="late-1"))
    sent = said(d)
    assert "utter_refund_timing_bank_by" in sent and "utter_refund_late" in sent  # banks differ; chased
    assert bridge.notices == [{"conversation_id": "late-1", "facts": ["late_refund"],
                               "detail": bridge.notices[0]["detail"], "intent": "refund_status"}]
    assert bridge.auth == ["Bearer svc-token"]


def test_issued_invoice_and_how_to_request(services: Services) -> None:
    d, _ = run(ActionInvoice(), make_tracker("invoice", slots={"order_id": "E1001000005"}))
    assert said(d)[0].startswith("utter_invoice_issued") and facts(d, said(d)[0])["date"]
    d, _ = run(ActionInvoice(), make_tracker("invoice", slots={"order_id": "E1001000004"}))
    assert said(d) == ["utter_invoice_none"]
    d, _ = run(ActionInvoice(), make_tracker("invoice", customer_id="C1003", slots={"order_id": "E1003000001"}))
    assert facts(d, "utter_invoice_requested")["invoice_kind"] == "vat_special" and "增值税专用发票" in texts(d)
