"""Order status, cancellation (confirm, then cancel with refund breakdown), address change, privacy."""

from __future__ import annotations

from action_helpers import make_tracker, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.orders import ActionCancelOrder, ActionChangeAddress, ActionOrderStatus


def run(action, tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    events = action.run(d, tracker, {})
    return d, events


def test_order_status_shows_real_status_and_clears_form_slot(services: Services) -> None:
    d, events = run(ActionOrderStatus(), make_tracker("order_status", slots={"order_id": "E1001000003"}))
    out = texts(d)
    assert "E1001000003" in out and "已发货" in out and "YTO" in out
    assert slot_events(events) == {"order_id": None, "last_order_id": "E1001000003"}


def test_order_status_in_english(services: Services) -> None:
    d, _ = run(ActionOrderStatus(), make_tracker("order_status", lang="en", customer_id="C1002",
                                                 slots={"order_id": "E1002000003"}))
    assert "Order E1002000003" in texts(d) and "completed" in texts(d)


def test_someone_elses_order_is_not_shown(services: Services) -> None:
    d, events = run(ActionOrderStatus(), make_tracker("order_status", customer_id="C1002", slots={"order_id": "E1001000003"}))
    assert "YTO" not in texts(d) and "没有在您的账号下找到" in texts(d)
    assert slot_events(events) == {"order_id": None}


def test_phone_verified_order_is_visible_without_customer_id(services: Services) -> None:
    tracker = make_tracker("order_status", customer_id=None,
                           slots={"order_id": "E1001000003", "verified_orders": ["E1001000003"]})
    d, _ = run(ActionOrderStatus(), tracker)
    assert "YTO" in texts(d)
    d, _ = run(ActionOrderStatus(), make_tracker("order_status", customer_id=None, slots={"order_id": "E1001000003"}))
    assert "YTO" not in texts(d)


def test_cancel_unshipped_asks_first_then_cancels_with_breakdown(services: Services) -> None:
    d, events = run(ActionCancelOrder(), make_tracker("cancel_order", slots={"order_id": "E1001000002"}))
    assert "确认取消吗" in texts(d) and d.messages[0]["buttons"][0]["payload"] == "/affirm"
    assert slot_events(events)["awaiting"] == "cancel_confirm"
    assert services.shop.get_order("E1001000002").status == "paid"  # nothing happened yet

    d, events = run(ActionCancelOrder(), make_tracker("affirm", slots={"awaiting": "cancel_confirm",
                                                                        "last_order_id": "E1001000002"}))
    out = texts(d)
    assert "已取消" in out and "优惠券 ¥20.00" in out and "原路退回" in out
    assert slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1001000002").status == "cancelled"


def test_cancel_denied_keeps_the_order(services: Services) -> None:
    d, events = run(ActionCancelOrder(), make_tracker("deny", slots={"awaiting": "cancel_confirm",
                                                                      "last_order_id": "E1001000002"}))
    assert "保留" in texts(d)
    assert services.shop.get_order("E1001000002").status == "paid"


def test_cancel_shipped_explains_refusal_or_return(services: Services) -> None:
    d, events = run(ActionCancelOrder(), make_tracker("cancel_order", slots={"order_id": "E1001000003"}))
    assert "拒收" in texts(d) and "awaiting" not in slot_events(events)
    d, _ = run(ActionCancelOrder(), make_tracker("cancel_order", lang="en", slots={"order_id": "E1001000004"}))
    assert "delivered" in texts(d) and "return" in texts(d)


def test_cancel_presale_deposit_goes_to_a_human(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d, events = run(ActionCancelOrder(), make_tracker("cancel_order", customer_id="C1003", slots={"order_id": "E1003000003"}))
    assert bridge.notices and bridge.notices[0]["reason"] == "needs_judgement"
    assert any(e.get("event") == "pause" for e in events)


def test_change_address_before_and_after_shipping(services: Services) -> None:
    d, _ = run(ActionChangeAddress(), make_tracker("change_address", slots={"order_id": "E1001000002"}))
    assert "可以改地址" in texts(d)
    d, _ = run(ActionChangeAddress(), make_tracker("change_address", slots={"order_id": "E1001000003"}))
    assert "已经发货" in texts(d) and "YTO" in texts(d)
