"""Pure policy decisions of the bot (no I/O): postage, return eligibility, cancellation, delays, KB choice."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from shop import rules
from shop.records import OrderRecord, RefundRecord, ShipmentRecord, TrackingEventRecord
from shoptext import find_order_ids

# Shipping-insurance payouts: usually ¥8–25; ordinary categories pay at most ¥12.
INSURANCE_PAYOUT_MIN = Decimal("8")
INSURANCE_CAP_ORDINARY = Decimal("12")
INSURANCE_CAP_BULKY = Decimal("25")
BULKY_CATEGORIES = frozenset({"furniture", "appliance", "appliances", "large_appliance", "home_appliance"})
INSURANCE_PAYOUT_HOURS = 72

Payer = Literal["shop", "customer", "customer_minus_insurance"]


@dataclass(frozen=True)
class PostageDecision:
    """Who pays return postage. `insurance_cap` is the most the insurance pays (None: not used)."""

    payer: Payer
    insurance_cap: Decimal | None
    may_decline_insurance: bool  # quality problem with the customer's own insurance


def insurance_cap(category: str) -> Decimal:
    return INSURANCE_CAP_BULKY if category.lower() in BULKY_CATEGORIES else INSURANCE_CAP_ORDINARY


def who_pays_return_postage(reason: str, has_insurance: bool, category: str) -> PostageDecision:
    """Quality problem: the shop pays all postage (even above the payout, even without insurance).

    Personal reason: the customer pays what the insurance does not cover (all of it without insurance).
    """
    if reason == "quality":
        return PostageDecision("shop", None, may_decline_insurance=has_insurance)
    if reason != "personal":
        raise ValueError(f"unknown return reason {reason!r} (expected quality or personal)")
    if has_insurance:
        return PostageDecision("customer_minus_insurance", insurance_cap(category), False)
    return PostageDecision("customer", None, False)


@dataclass(frozen=True)
class ReturnEligibility:
    """Whether a 7-day no-reason return is possible, and why not."""

    eligible: bool
    reason: Literal["ok", "not_delivered", "excluded", "window_passed", "cancelled", "already_requested"]
    excluded: tuple[str, ...] = ()
    deadline: datetime | None = None


def return_eligibility(order: OrderRecord, now: datetime) -> ReturnEligibility:
    """7 days counted from delivery; fresh, customised, intimate and activated digital goods are excluded."""
    if order.status == "cancelled":
        return ReturnEligibility(False, "cancelled")
    if order.delivered_at is None:
        return ReturnEligibility(False, "not_delivered")
    deadline = order.delivered_at + timedelta(days=rules.NO_REASON_RETURN_DAYS)
    excluded = rules.no_reason_return_excluded(order)
    if excluded:
        return ReturnEligibility(False, "excluded", excluded, deadline)
    if any(r.kind == "return" and r.status not in ("rejected", "completed") for r in order.returns):
        return ReturnEligibility(False, "already_requested", (), deadline)
    if not rules.within_no_reason_window(order, now):
        return ReturnEligibility(False, "window_passed", (), deadline)
    return ReturnEligibility(True, "ok", (), deadline)


InsuranceReply = Literal["postage", "ask_reason", "general"]

_WHO_PAYS = re.compile(
    r"谁出|谁付|谁承担|谁给|谁报|谁负责|要我出|我出吗|自己出|自己付|要我付|我付吗|还要钱|要钱吗|包运费|到付|报销|"
    r"who pays|who covers|who will pay|do i (have to |need to )?pay|i have to pay|will you (cover|pay)|"
    r"free returns?|is return shipping free|return shipping (is )?free|reimburse|get the postage back",
    re.I)


def asks_who_pays(text: str) -> bool:
    """True when the customer asks who pays the return postage (not how the insurance works)."""
    return bool(_WHO_PAYS.search(text or ""))


def insurance_reply(intent: str | None, reason_in_message: str | None, reason_known: str | None,
                    text: str) -> InsuranceReply:
    """What a shipping-insurance turn answers.

    The reason just given (entity, or an inform_return_reason turn) → who pays for this order.
    A who-pays question → who pays when the reason is known, otherwise ask the reason first.
    Any other insurance question (how much, how long, how to claim) → the general facts.
    """
    valid = ("quality", "personal")
    if reason_in_message in valid or (intent == "inform_return_reason" and reason_known in valid):
        return "postage"
    if asks_who_pays(text):
        return "postage" if reason_known in valid else "ask_reason"
    if intent == "inform_return_reason":
        return "ask_reason"
    return "general"


CancelKind = Literal["cancel", "reject_delivery", "return_after_delivery", "already_cancelled", "presale_human", "not_cancellable"]


def cancel_decision(order: OrderRecord) -> CancelKind:
    """Unshipped: cancel; in transit: refuse delivery; delivered: return; pre-sale deposit: a human decides."""
    block = rules.cancel_block_reason(order)
    if block is None:
        return "cancel"
    if block == "already_cancelled":
        return "already_cancelled"
    if block == "presale_deposit":
        return "presale_human"
    if block == "already_shipped":
        shipment = order.shipment
        delivered = order.delivered_at is not None or (shipment is not None and shipment.status == "delivered")
        return "return_after_delivery" if delivered else "reject_delivery"
    return "not_cancellable"


@dataclass(frozen=True)
class DelayInfo:
    """What the customer must hear about a parcel: latest progress, honest ETA, cause, options."""

    status: str
    latest: tuple[TrackingEventRecord, ...]  # newest first, at most 3
    eta: date | None
    eta_passed: bool
    stalled: bool
    cause: str  # shop DELAY_CAUSES value; "none" when on time
    force_majeure: bool
    offer_courier_switch: bool
    alt_couriers: tuple[str, ...]
    late: bool


FORCE_MAJEURE = frozenset({"weather", "epidemic", "large_event"})


def describe_delay(shipment: ShipmentRecord, now: datetime) -> DelayInfo:
    """Facts for a tracking answer; a courier switch is offered when the courier cannot reach the area
    but others can (the platform still counts the shipment as late)."""
    eta_passed = rules.is_eta_passed(shipment, now)
    stalled = rules.is_parcel_stalled(shipment, now)
    cause = shipment.delay_cause or "none"
    unreachable = cause == "courier_unreachable"
    alts = tuple(c for c in shipment.alt_couriers if c != shipment.courier)
    offer = unreachable and bool(alts) and shipment.status != "delivered" and not shipment.requested_courier
    late = eta_passed or stalled or cause != "none"
    return DelayInfo(
        status=shipment.status,
        latest=tuple(reversed(shipment.events[-3:])),
        eta=shipment.eta,
        eta_passed=eta_passed,
        stalled=stalled,
        cause=cause,
        force_majeure=cause in FORCE_MAJEURE,
        offer_courier_switch=offer,
        alt_couriers=alts,
        late=late,
    )


@dataclass(frozen=True)
class RefundView:
    """A refund as the customer should see it."""

    refund: RefundRecord
    late: bool
    expected_by: datetime | None


def refund_view(refund: RefundRecord, now: datetime) -> RefundView:
    expected = refund.expected_by
    if expected is None and refund.approved_at is not None:
        expected = rules.refund_expected_by(refund.method, refund.approved_at)
    return RefundView(refund, rules.is_refund_late(refund, now), expected)


# Orders that a topic is usually about (used to pre-select or list orders).
TOPIC_STATUSES: dict[str, frozenset[str]] = {
    "track": frozenset({"shipped", "paid"}),
    "cancel": frozenset({"pending_payment", "paid", "shipped"}),
    "address": frozenset({"pending_payment", "paid", "shipped"}),
    "return": frozenset({"delivered", "completed", "return_requested"}),
    "exchange": frozenset({"delivered", "completed", "return_requested"}),
    "refund": frozenset({"refunding", "refunded", "cancelled", "return_requested"}),
    "invoice": frozenset({"paid", "shipped", "delivered", "completed"}),
}


def candidate_orders(orders: Sequence[OrderRecord], topic: str | None) -> list[OrderRecord]:
    """The customer's orders the topic is likely about (all orders when the topic does not narrow)."""
    wanted = TOPIC_STATUSES.get(topic or "")
    if topic == "refund":
        picked = [o for o in orders if o.refunds or (wanted and o.status in wanted)]
    elif wanted:
        picked = [o for o in orders if o.status in wanted]
    else:
        picked = list(orders)
    return picked or list(orders)


KbChoice = Literal["answer", "clarify", "none"]


def kb_choice(hits: Sequence[Mapping[str, Any]], in_scope: bool, margin: float) -> KbChoice:
    """Answer the top hit, offer the top two when they are close, or admit not understanding."""
    if not hits or not in_scope:
        return "none"
    if (len(hits) >= 2 and hits[0].get("id") != hits[1].get("id")
            and float(hits[0]["score"]) - float(hits[1]["score"]) < margin):
        return "clarify"
    return "answer"


# KB entries an intent is about: when one of them is among the hits, the others are dropped
# (the classifier already knows the topic; the KB only picks the entry within it).
INTENT_KB_PREFIXES: dict[str, tuple[str, ...]] = {
    "coupon_price_protection": ("faq.promo.", "faq.coupon."),
    "after_sales_repair": ("faq.warranty.",),
    "payment_account": ("faq.account.",),
}


def hits_for_intent(hits: Sequence[Mapping[str, Any]], intent: str | None) -> list[Mapping[str, Any]]:
    """Keep the hits of the intent's KB topic when there are any (in score order), else all hits."""
    prefixes = INTENT_KB_PREFIXES.get(intent or "")
    if not prefixes:
        return list(hits)
    on_topic = [h for h in hits if str(h.get("id", "")).startswith(prefixes)]
    return on_topic or list(hits)


def normalise_order_id(raw: object) -> str | None:
    """'e2026110001 ' → 'E2026110001'; anything else → None."""
    if not isinstance(raw, str):
        return None
    found = find_order_ids(raw)
    return found[0] if found else None
