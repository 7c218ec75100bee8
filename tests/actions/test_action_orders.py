"""Order status, cancellation (confirm, then cancel with refund breakdown; refusals keep the order),
address change, privacy. Checks facts and the responses sent, not the wording."""

from __future__ import annotations

import pytest
from action_helpers import facts, make_tracker, said, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.orders import ActionCancelOrder, ActionChangeAddress, ActionConfirmCancel, ActionOrderStatus


def run(action, tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    events = action.run(d, tracker, {})
    return d, events


def test_order_status_shows_real_status_and_clears_form_slot(services: Services) -> None:
    d, events = run(ActionOrderStatus(), make_tracker("order_status", slots={"order_id": "E1001000003"}))
    assert facts(d, "utter_order_status")["order_status"] == "shipped"
    latest = facts(d, "utter_order_latest")
    assert latest["courier"] == "YTO" and latest["order_id"] == "E1001000003"
    assert "E1001000003" in texts(d) and "已发货" in texts(d)  # the label from domain.yml
    assert slot_events(events) == {"order_id": None, "last_order_id": "E1001000003"}


def test_order_status_in_english(services: Services) -> None:
    d, _ = run(ActionOrderStatus(), make_tracker("order_status", lang="en", customer_id="C1002",
                                                 slots={"order_id": "E1002000003"}))
    assert facts(d, "utter_order_status")["status"] == "completed"
    assert "Order E1002000003" in texts(d, "en")


def test_someone_elses_order_is_not_shown(services: Services) -> None:
    d, events = run(ActionOrderStatus(), make_tracker("order_status", customer_id="C1002", slots={"order_id": "E1001000003"}))
    assert said(d) == ["utter_order_not_found"] and "YTO" not in texts(d)
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
    assert said(d) == ["utter_cancel_confirm"] and facts(d, "utter_cancel_confirm")["order_id"] == "E1001000002"
    assert slot_events(events)["awaiting"] == "cancel_confirm"
    assert services.shop.get_order("E1001000002").status == "paid"  # nothing happened yet

    d, events = run(ActionConfirmCancel(), make_tracker("affirm", text="/affirm", slots={
        "awaiting": "cancel_confirm", "last_order_id": "E1001000002"}))
    done = facts(d, "utter_cancel_done")
    assert done["coupon"] == "¥20.00" and done["total"].startswith("¥")
    assert said(d)[1].startswith("utter_refund_timing")
    assert slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1001000002").status == "cancelled"


@pytest.mark.parametrize("intent, text", [
    ("deny", "/deny"),                # the 不取消了 button's payload
    ("cancel_order", "不取消了"),       # the button's title, as the web chat sends it, read as a cancel request
    ("cancel_order", "先不取消了"),
    ("cancel_order", "算了不取消"),
    ("affirm", "No, keep it"),
    ("deny", "我再想想"),
])
def test_refusing_the_cancellation_keeps_the_order(services: Services, intent: str, text: str) -> None:
    d, events = run(ActionConfirmCancel(), make_tracker(intent, text=text, slots={
        "awaiting": "cancel_confirm", "last_order_id": "E1001000002"}))
    assert said(d) == ["utter_cancel_kept"] and facts(d, "utter_cancel_kept")["order_id"] == "E1001000002"
    assert slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1001000002").status == "paid"


def test_unclear_answer_to_the_cancellation_cancels_nothing(services: Services) -> None:
    d, events = run(ActionConfirmCancel(), make_tracker("cancel_order", text="取消订单要多久", slots={
        "awaiting": "cancel_confirm", "last_order_id": "E1001000002"}))
    assert said(d) == ["utter_cancel_kept"] and slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1001000002").status == "paid"


def test_cancel_shipped_explains_refusal_or_return(services: Services) -> None:
    d, events = run(ActionCancelOrder(), make_tracker("cancel_order", slots={"order_id": "E1001000003"}))
    assert said(d) == ["utter_cancel_reject_delivery"] and "awaiting" not in slot_events(events)
    d, _ = run(ActionCancelOrder(), make_tracker("cancel_order", lang="en", slots={"order_id": "E1001000004"}))
    assert said(d) == ["utter_cancel_return_after_delivery"] and "E1001000004" in texts(d, "en")


def test_stale_question_is_cleared_by_another_answer(services: Services) -> None:
    _, events = run(ActionCancelOrder(), make_tracker("cancel_order", slots={"order_id": "E1001000003",
                                                                             "awaiting": "cancel_confirm"}))
    assert slot_events(events)["awaiting"] is None


def test_cancel_presale_deposit_goes_to_a_human(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d, events = run(ActionCancelOrder(), make_tracker("cancel_order", customer_id="C1003", slots={"order_id": "E1003000003"}))
    assert bridge.notices and bridge.notices[0]["facts"] == ["beyond_authority"]
    assert services.shop.get_order("E1003000003").status != "cancelled"


def test_change_address_before_and_after_shipping(services: Services) -> None:
    d, _ = run(ActionChangeAddress(), make_tracker("change_address", slots={"order_id": "E1001000002"}))
    assert said(d) == ["utter_address_changeable"] and facts(d, "utter_address_changeable")["city"]
    d, _ = run(ActionChangeAddress(), make_tracker("change_address", slots={"order_id": "E1001000003"}))
    assert said(d) == ["utter_address_shipped"] and facts(d, "utter_address_shipped")["courier"] == "YTO"
