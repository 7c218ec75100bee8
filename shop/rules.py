"""Pure decisions about orders, parcels and refunds (no I/O; `now` is always passed in)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from shop.records import OrderRecord, RefundRecord, ShipmentRecord

# Statuses in which the goods have certainly left the warehouse.
SHIPPED_STATUSES = frozenset({"shipped", "delivered", "completed", "return_requested"})
# Statuses in which a parcel is still moving (tracking updates are expected).
MOVING_SHIPMENT_STATUSES = frozenset({"awaiting_pickup", "in_transit", "out_for_delivery", "exception"})
OPEN_REFUND_STATUSES = frozenset({"requested", "approved", "processing"})
# How long the money takes after approval, by payment method; bank cards vary by bank (1-7 days).
REFUND_DAYS = {"alipay": 1, "wechat": 1, "balance": 1, "bank_card": 7}
STALLED_AFTER_DAYS = 5
NO_REASON_RETURN_DAYS = 7
EXCLUDED_FROM_NO_REASON_RETURN = frozenset({"fresh", "customised", "intimate", "digital"})


def order_is_shipped(status: str) -> bool:
    """True when the status alone says the goods have left the warehouse."""
    return status in SHIPPED_STATUSES


def order_has_shipped(order: OrderRecord) -> bool:
    """True when the goods have left: by status or by a recorded ship time."""
    return order_is_shipped(order.status) or order.shipped_at is not None


def cancel_block_reason(order: OrderRecord) -> str | None:
    """Why the order cannot be cancelled by the bot, or None when it can.

    Returns one of: already_cancelled, already_shipped, not_cancellable, presale_deposit.
    """
    if order.status == "cancelled":
        return "already_cancelled"
    if order_has_shipped(order):
        return "already_shipped"
    if order.status not in ("pending_payment", "paid"):
        return "not_cancellable"
    if order.is_presale and order.deposit_paid_at is not None and order.balance_paid_at is None:
        return "presale_deposit"
    return None


def can_change_address(order: OrderRecord) -> bool:
    """The delivery address may change only before the parcel leaves."""
    return order.status in ("pending_payment", "paid") and not order_has_shipped(order)


def refund_expected_by(method: str, approved_at: datetime) -> datetime:
    """Latest normal arrival time of a refund paid back by `method`."""
    return approved_at + timedelta(days=REFUND_DAYS.get(method, 7))


def is_refund_late(refund: RefundRecord, now: datetime) -> bool:
    """An open refund whose expected arrival time has passed (chase it)."""
    if refund.status not in OPEN_REFUND_STATUSES or refund.expected_by is None:
        return False
    return now > refund.expected_by


def open_refunds(order: OrderRecord) -> tuple[RefundRecord, ...]:
    """Refunds of the order that are not yet paid or rejected."""
    return tuple(r for r in order.refunds if r.status in OPEN_REFUND_STATUSES)


def days_since_last_update(shipment: ShipmentRecord, now: datetime) -> float | None:
    """Days since the latest tracking event, or None without events."""
    last = shipment.last_event
    if last is None:
        return None
    return (now - last.at).total_seconds() / 86400


def is_parcel_stalled(shipment: ShipmentRecord, now: datetime, days: int = STALLED_AFTER_DAYS) -> bool:
    """A moving parcel with no tracking update for `days` or more (possibly lost)."""
    if shipment.status not in MOVING_SHIPMENT_STATUSES:
        return False
    since = days_since_last_update(shipment, now)
    return since is not None and since >= days


def is_shipment_overdue(order: OrderRecord, now: datetime) -> bool:
    """Paid but not shipped after the promised ship-by date (the platform counts it late)."""
    shipment = order.shipment
    if order.status != "paid" or shipment is None or shipment.promised_ship_by is None:
        return False
    return now.date() > shipment.promised_ship_by


def is_eta_passed(shipment: ShipmentRecord, now: datetime) -> bool:
    """The parcel is still on its way after its estimated arrival date."""
    return shipment.status in MOVING_SHIPMENT_STATUSES and shipment.eta is not None and now.date() > shipment.eta


def cancellation_refund_amounts(order: OrderRecord) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(item amount, shipping amount, coupon deduction, total) refunded when an unshipped order is cancelled."""
    total = order.amount_paid
    return order.items_total, order.shipping_fee, order.coupon_discount, total


def no_reason_return_excluded(order: OrderRecord) -> tuple[str, ...]:
    """Special-goods flags of the order that exclude it from the 7-day no-reason return."""
    return tuple(s for s in order.special_goods if s in EXCLUDED_FROM_NO_REASON_RETURN)


def within_no_reason_window(order: OrderRecord, now: datetime, days: int = NO_REASON_RETURN_DAYS) -> bool:
    """Delivered no more than `days` days ago (counted from delivery)."""
    if order.delivered_at is None:
        return False
    return now - order.delivered_at <= timedelta(days=days)
