"""Returns/exchanges and shipping insurance: eligibility, steps, and the reason asked before postage."""

from __future__ import annotations

from action_helpers import buttons, facts, make_tracker, said, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.insurance import ActionShippingInsurance
from actions.returns import ActionExchangeGoods, ActionReturnGoods


def run(action, tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    return d, action.run(d, tracker, {})


def test_eligible_return_gives_deadline_steps_photos_and_asks_reason(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", slots={"order_id": "E1001000004"}))
    assert said(d) == ["utter_return_eligible", "utter_return_steps", "utter_ask_return_reason"]
    assert facts(d, "utter_return_eligible")["deadline"]
    assert not any(r.startswith("utter_postage") for r in said(d))  # nothing about who pays postage yet
    assert "inform_return_reason" in str(buttons(d)) and "照片" in texts(d)


def test_fresh_food_is_excluded(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", customer_id="C1004", slots={"order_id": "E1004000002"}))
    assert facts(d, "utter_return_excluded")["excluded"] == ["fresh"] and "生鲜" in texts(d)


def test_customised_item_excluded_in_english(services: Services) -> None:
    d, _ = run(ActionExchangeGoods(), make_tracker("exchange_goods", lang="en", customer_id="C1005",
                                                   slots={"order_id": "E1005000001"}))
    assert facts(d, "utter_return_excluded")["excluded"] == ["customised"] and "customised" in texts(d, "en")


def test_return_with_known_reason_answers_postage(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", slots={"order_id": "E1001000004", "return_reason": "quality"}))
    assert facts(d, "utter_postage_quality")["payer"] == "shop"


def test_insurance_question_without_reason_only_asks(services: Services) -> None:
    d, events = run(ActionShippingInsurance(), make_tracker("shipping_insurance", text="运费谁出"))
    assert said(d) == ["utter_ask_return_reason"] and events == []


def test_quality_reason_shop_pays_even_without_insurance(services: Services) -> None:
    d, events = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", entities=[{"entity": "return_reason", "value": "quality"}],
        customer_id="C1002", slots={"last_order_id": "E1002000003"}))
    assert facts(d, "utter_postage_quality")["payer"] == "shop"  # the shop pays, insurance or not
    assert slot_events(events) == {"return_reason": "quality"}


def test_personal_reason_with_insurance_caps_at_12(services: Services) -> None:
    d, _ = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", lang="en", slots={"return_reason": "personal", "last_order_id": "E1001000004"}))
    shown = facts(d, "utter_postage_personal_insured")
    assert shown["cap"] == "¥12.00" and shown["hours"] == 72 and shown["payer"] == "customer_minus_insurance"


def test_personal_reason_without_insurance_customer_pays(services: Services) -> None:
    d, _ = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", customer_id="C1004", slots={"return_reason": "personal", "last_order_id": "E1004000003"}))
    assert facts(d, "utter_postage_personal_uninsured")["payer"] == "customer"


def test_general_insurance_question_gets_general_facts_not_the_order_line(services: Services) -> None:
    """After a personal-reason return, 'how much does it pay?' is answered in general (payout, cap, 72 h)."""
    d, events = run(ActionShippingInsurance(), make_tracker(
        "shipping_insurance", text="How much does shipping insurance pay?", lang="en", customer_id="C1002",
        slots={"return_reason": "personal", "last_order_id": "E1002000003"}))
    assert said(d) == ["utter_insurance_general"]
    shown = facts(d, "utter_insurance_general")
    assert (shown["low"], shown["cap"], shown["hours"]) == ("¥8.00", "¥12.00", 72)
    assert events == []
    zh, _ = run(ActionShippingInsurance(), make_tracker("shipping_insurance", text="运费险能赔多少"))
    assert said(zh) == ["utter_insurance_general"] and "72 小时" in texts(zh)
