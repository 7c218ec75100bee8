"""Returns/exchanges and shipping insurance: eligibility, steps, and the reason asked before postage."""

from __future__ import annotations

from action_helpers import make_tracker, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.insurance import ActionShippingInsurance
from actions.returns import ActionExchangeGoods, ActionReturnGoods


def run(action, tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    return d, action.run(d, tracker, {})


def test_eligible_return_gives_deadline_steps_photos_and_asks_reason(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", slots={"order_id": "E1001000004"}))
    out = texts(d)
    assert "支持七天无理由退货" in out and "照片" in out and "1–3 天内退款" in out
    assert "运费" not in out.split("退货步骤")[0]  # nothing about who pays postage yet
    assert "店铺承担" not in out and "您承担" not in out
    assert "inform_return_reason" in str(d.messages[-1]["buttons"])


def test_fresh_food_is_excluded(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", customer_id="C1004", slots={"order_id": "E1004000002"}))
    assert "生鲜" in texts(d) and "不支持七天无理由" in texts(d)


def test_customised_item_excluded_in_english(services: Services) -> None:
    d, _ = run(ActionExchangeGoods(), make_tracker("exchange_goods", lang="en", customer_id="C1005",
                                                   slots={"order_id": "E1005000001"}))
    assert "customised" in texts(d) and "excluded" in texts(d)


def test_return_with_known_reason_answers_postage(services: Services) -> None:
    d, _ = run(ActionReturnGoods(), make_tracker("return_goods", slots={"order_id": "E1001000004", "return_reason": "quality"}))
    assert "店铺承担" in texts(d)


def test_insurance_question_without_reason_only_asks(services: Services) -> None:
    d, events = run(ActionShippingInsurance(), make_tracker("shipping_insurance", text="运费谁出"))
    out = texts(d)
    assert "原因" in out and "店铺承担" not in out and "您承担" not in out
    assert events == []


def test_quality_reason_shop_pays_even_without_insurance(services: Services) -> None:
    d, events = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", entities=[{"entity": "return_reason", "value": "quality"}],
        customer_id="C1002", slots={"last_order_id": "E1002000003"}))
    assert "店铺承担" in texts(d) and "没买运费险也一样" in texts(d)
    assert slot_events(events) == {"return_reason": "quality"}


def test_personal_reason_with_insurance_caps_at_12(services: Services) -> None:
    d, _ = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", lang="en", slots={"return_reason": "personal", "last_order_id": "E1001000004"}))
    out = texts(d)
    assert "¥12.00" in out and "72 hours" in out and "you pay any part above" in out


def test_personal_reason_without_insurance_customer_pays(services: Services) -> None:
    d, _ = run(ActionShippingInsurance(), make_tracker(
        "inform_return_reason", customer_id="C1004", slots={"return_reason": "personal", "last_order_id": "E1004000003"}))
    assert "没有买运费险" in texts(d) and "您承担" in texts(d)


def test_general_insurance_question_gets_general_facts_not_the_order_line(services: Services) -> None:
    """After a personal-reason return, 'how much does it pay?' is answered in general (payout, cap, 72 h)."""
    d, events = run(ActionShippingInsurance(), make_tracker(
        "shipping_insurance", text="How much does shipping insurance pay?", lang="en", customer_id="C1002",
        slots={"return_reason": "personal", "last_order_id": "E1002000003"}))
    out = texts(d)
    assert "¥8.00" in out and "¥12.00" in out and "72 hours" in out
    assert "yours to pay" not in out and "shop pays all" in out
    assert events == []
    zh, _ = run(ActionShippingInsurance(), make_tracker("shipping_insurance", text="运费险能赔多少"))
    assert "¥12.00" in texts(zh) and "72 小时" in texts(zh) and "您承担" not in texts(zh)
