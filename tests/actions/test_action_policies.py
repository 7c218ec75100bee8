"""Pure policy decisions, table-driven."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from action_helpers import NOW

from actions.policies import (
    cancel_decision,
    candidate_orders,
    describe_delay,
    kb_choice,
    normalise_order_id,
    return_eligibility,
    who_pays_return_postage,
)
from shop import ShopRepository


@pytest.mark.parametrize(
    ("reason", "insured", "category", "payer", "cap", "may_decline"),
    [
        ("quality", False, "apparel", "shop", None, False),
        ("quality", True, "apparel", "shop", None, True),
        ("quality", True, "furniture", "shop", None, True),
        ("personal", True, "apparel", "customer_minus_insurance", Decimal("12"), False),
        ("personal", True, "furniture", "customer_minus_insurance", Decimal("25"), False),
        ("personal", False, "apparel", "customer", None, False),
        ("personal", False, "appliance", "customer", None, False),
    ],
)
def test_who_pays_return_postage(reason: str, insured: bool, category: str, payer: str,
                                 cap: Decimal | None, may_decline: bool) -> None:
    d = who_pays_return_postage(reason, insured, category)
    assert (d.payer, d.insurance_cap, d.may_decline_insurance) == (payer, cap, may_decline)


def test_who_pays_rejects_unknown_reason() -> None:
    with pytest.raises(ValueError, match="unknown return reason"):
        who_pays_return_postage("whim", True, "apparel")


@pytest.mark.parametrize(
    ("order_id", "delivered_days_ago", "eligible", "reason"),
    [
        ("E1001000004", None, True, "ok"),            # delivered 4 days before NOW (demo)
        ("E1001000004", 6.9, True, "ok"),
        ("E1001000004", 7.1, False, "window_passed"),  # 7 days counted from delivery
        ("E1004000002", None, False, "excluded"),      # fresh food
        ("E1005000001", None, False, "excluded"),      # customised mug
        ("E1001000003", None, False, "not_delivered"),
        ("E1001000006", None, False, "cancelled"),
    ],
)
def test_return_eligibility(shop: ShopRepository, order_id: str, delivered_days_ago: float | None,
                            eligible: bool, reason: str) -> None:
    order = shop.get_order(order_id)
    assert order is not None
    if delivered_days_ago is not None:
        order = replace(order, delivered_at=NOW - timedelta(days=delivered_days_ago))
    result = return_eligibility(order, NOW)
    assert (result.eligible, result.reason) == (eligible, reason)
    if reason == "excluded":
        assert result.excluded


@pytest.mark.parametrize(
    ("order_id", "expected"),
    [
        ("E1001000001", "cancel"),                 # pending payment
        ("E1001000002", "cancel"),                 # paid, unshipped
        ("E1001000003", "reject_delivery"),        # in transit
        ("E1001000004", "return_after_delivery"),  # delivered
        ("E1001000006", "already_cancelled"),
        ("E1003000003", "presale_human"),          # deposit paid, balance open
        ("E1001000009", "return_after_delivery"),  # refunded order has shipped and arrived
    ],
)
def test_cancel_decision(shop: ShopRepository, order_id: str, expected: str) -> None:
    order = shop.get_order(order_id)
    assert order is not None
    assert cancel_decision(order) == expected


def test_describe_delay_weather_is_named_with_eta(shop: ShopRepository) -> None:
    order = shop.get_order("E1002000001")
    assert order is not None and order.shipment is not None
    info = describe_delay(order.shipment, NOW)
    assert info.cause == "weather" and info.force_majeure and info.late
    assert info.eta == date(2026, 11, 23) and not info.eta_passed
    assert not info.offer_courier_switch
    assert info.latest and info.latest[0].seq == order.shipment.events[-1].seq  # newest first


def test_describe_delay_offers_courier_switch_when_unreachable(shop: ShopRepository) -> None:
    order = shop.get_order("E1004000001")
    assert order is not None and order.shipment is not None
    info = describe_delay(order.shipment, NOW)
    assert info.offer_courier_switch and info.alt_couriers == ("EMS", "SF")
    switched = replace(order.shipment, requested_courier="EMS")
    assert not describe_delay(switched, NOW).offer_courier_switch


def test_describe_delay_lost_parcel_is_stalled_and_late(shop: ShopRepository) -> None:
    order = shop.get_order("E1005000003")
    assert order is not None and order.shipment is not None
    info = describe_delay(order.shipment, NOW)
    assert info.stalled and info.eta_passed and info.late


@pytest.mark.parametrize(
    ("hits", "in_scope", "expected"),
    [
        ([], False, "none"),
        ([{"id": "a", "score": 0.9}], False, "none"),
        ([{"id": "a", "score": 0.9}, {"id": "b", "score": 0.7}], True, "answer"),
        ([{"id": "a", "score": 0.81}, {"id": "b", "score": 0.80}], True, "clarify"),
        ([{"id": "a", "score": 0.81}], True, "answer"),
    ],
)
def test_kb_choice(hits: list[dict], in_scope: bool, expected: str) -> None:
    assert kb_choice(hits, in_scope, margin=0.03) == expected


@pytest.mark.parametrize(("raw", "expected"), [("e1001000001", "E1001000001"), (" E1001000002 ", "E1001000002"),
                                               ("E123", None), (None, None), (["E1001000001"], None)])
def test_normalise_order_id(raw: object, expected: str | None) -> None:
    assert normalise_order_id(raw) == expected


def test_candidate_orders_narrow_by_topic(shop: ShopRepository) -> None:
    orders = shop.orders_for_customer("C1001")
    assert {o.id for o in candidate_orders(orders, "track")} == {"E1001000002", "E1001000003"}
    assert all(o.status in ("delivered", "completed", "return_requested") for o in candidate_orders(orders, "return"))
    assert len(candidate_orders(orders, None)) == len(orders)
    c1004 = shop.orders_for_customer("C1004")
    assert [o.id for o in candidate_orders(c1004, "track")] == ["E1004000001"]


@pytest.mark.parametrize("intent, in_message, known, text, expected", [
    ("shipping_insurance", None, "personal", "How much does shipping insurance pay?", "general"),
    ("shipping_insurance", None, None, "运费险多久到账", "general"),
    ("shipping_insurance", None, None, "退货运费谁出", "ask_reason"),
    ("shipping_insurance", None, "quality", "who pays for return shipping", "postage"),
    ("shipping_insurance", "personal", "personal", "the insurance only paid 12, it's too small", "postage"),
    ("inform_return_reason", None, "personal", "/inform_return_reason", "postage"),
    ("inform_return_reason", None, None, "hmm", "ask_reason"),
])
def test_insurance_reply(intent, in_message, known, text, expected):  # type: ignore[no-untyped-def]
    from actions.policies import insurance_reply

    assert insurance_reply(intent, in_message, known, text) == expected


def test_kb_hits_follow_the_intent_topic():  # type: ignore[no-untyped-def]
    from actions.policies import hits_for_intent

    hits = [{"id": "faq.warranty.repair", "score": 0.96}, {"id": "faq.promo.price_protection", "score": 0.91}]
    assert [h["id"] for h in hits_for_intent(hits, "coupon_price_protection")] == ["faq.promo.price_protection"]
    assert hits_for_intent(hits, "nlu_fallback") == hits
    assert hits_for_intent(hits[:1], "coupon_price_protection") == hits[:1]  # nothing on topic: unchanged
