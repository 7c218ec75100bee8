"""Pure order/refund/parcel decisions, table-driven."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from shop import rules
from shop.couriers import resolve_courier
from shop.records import AddressRecord, OrderRecord, RefundRecord, ShipmentRecord, TrackingEventRecord

NOW = datetime(2026, 11, 26, 12, 0)


def _refund(status: str, expected_by: datetime | None) -> RefundRecord:
    return RefundRecord("R1", "E1", status, "", Decimal("10"), Decimal("0"), Decimal("0"), Decimal("10"), "bank_card",
                        "招商银行", NOW - timedelta(days=9), NOW - timedelta(days=8), None, expected_by)


def _shipment(status: str, last_event_days_ago: float | None, eta: date | None = None) -> ShipmentRecord:
    events = () if last_event_days_ago is None else (
        TrackingEventRecord(1, NOW - timedelta(days=last_event_days_ago), "杭州", "揽收", "picked up"),)
    return ShipmentRecord("S1", "ZTO", "ZTO1", status, None, eta, "none", (), None, events)


def _order(status: str, **kw: object) -> OrderRecord:
    base = dict(
        id="E1", customer_id="C1", status=status, created_at=NOW, paid_at=None, shipped_at=None, delivered_at=None,
        cancelled_at=None, items_total=Decimal("100"), shipping_fee=Decimal("0"), coupon_discount=Decimal("0"),
        amount_paid=Decimal("100"), payment_method="alipay", payment_bank=None, has_shipping_insurance=False,
        is_presale=False, deposit_amount=None, deposit_paid_at=None, balance_due_by=None, balance_paid_at=None,
        remark="", address=AddressRecord("", "", ""), invoice_requested=False, invoice_issued=False, items=(),
        shipments=(), refunds=(), returns=(), invoices=(),
    )
    base.update(kw)
    return OrderRecord(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "shipped"), [
    ("pending_payment", False), ("paid", False), ("shipped", True), ("delivered", True), ("completed", True),
    ("cancelled", False), ("return_requested", True),
])
def test_order_is_shipped(status: str, shipped: bool) -> None:
    assert rules.order_is_shipped(status) is shipped


@pytest.mark.parametrize(("status", "expected_offset_h", "late"), [
    ("processing", -1, True), ("approved", -1, True), ("requested", -1, True), ("processing", 1, False),
    ("paid", -100, False), ("rejected", -100, False), ("processing", None, False),
])
def test_is_refund_late(status: str, expected_offset_h: int | None, late: bool) -> None:
    expected = None if expected_offset_h is None else NOW + timedelta(hours=expected_offset_h)
    assert rules.is_refund_late(_refund(status, expected), NOW) is late


@pytest.mark.parametrize(("status", "days", "stalled"), [
    ("in_transit", 5.0, True), ("in_transit", 4.9, False), ("exception", 7, True), ("delivered", 9, False),
    ("in_transit", None, False),
])
def test_is_parcel_stalled(status: str, days: float | None, stalled: bool) -> None:
    assert rules.is_parcel_stalled(_shipment(status, days), NOW) is stalled


@pytest.mark.parametrize(("order", "reason"), [
    (_order("paid"), None),
    (_order("pending_payment"), None),
    (_order("cancelled"), "already_cancelled"),
    (_order("shipped"), "already_shipped"),
    (_order("refunding", shipped_at=NOW), "already_shipped"),
    (_order("refunded"), "not_cancellable"),
    (_order("pending_payment", is_presale=True, deposit_paid_at=NOW), "presale_deposit"),
    (_order("paid", is_presale=True, deposit_paid_at=NOW, balance_paid_at=NOW), None),
])
def test_cancel_block_reason(order: OrderRecord, reason: str | None) -> None:
    assert rules.cancel_block_reason(order) == reason


def test_refund_expected_by_depends_on_method() -> None:
    assert rules.refund_expected_by("alipay", NOW) - NOW < rules.refund_expected_by("bank_card", NOW) - NOW


def test_overdue_shipment_and_eta() -> None:
    waiting = dataclasses.replace(_shipment("awaiting_pickup", None), promised_ship_by=NOW.date() - timedelta(days=1))
    assert rules.is_shipment_overdue(_order("paid", shipments=(waiting,)), NOW)
    assert not rules.is_shipment_overdue(_order("shipped", shipments=(waiting,)), NOW)
    assert rules.is_eta_passed(_shipment("in_transit", 1, eta=NOW.date() - timedelta(days=1)), NOW)
    assert not rules.is_eta_passed(_shipment("delivered", 1, eta=NOW.date() - timedelta(days=1)), NOW)


@pytest.mark.parametrize(("text", "code"), [
    ("EMS", "EMS"), ("ems", "EMS"), ("顺丰", "SF"), ("SF Express", "SF"), ("中通快递", "ZTO"), ("unknown", None), ("", None),
])
def test_resolve_courier(text: str, code: str | None) -> None:
    assert resolve_courier(text) == code
