"""Guarded, idempotent write operations run inside one session transaction (used by ShopRepository)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shop import models as m
from shop import rules
from shop.convert import order_record, refund_record
from shop.couriers import resolve_courier
from shop.records import ActionResult, AddressRecord, CancelResult

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAX_ID = re.compile(r"^[0-9A-Z]{15,20}$")
_CLOSED_RETURN = ("completed", "rejected")


def cancel_refund_id(order_id: str) -> str:
    """Deterministic id of the refund opened by cancelling an order (makes cancel idempotent)."""
    return f"RC{order_id[1:]}"


def _audit(s: Session, now: datetime, action: str, order: m.Order, customer_id: str | None, **detail: Any) -> None:
    s.add(m.AuditEntry(at=now, action=action, order_id=order.id, customer_id=customer_id, detail=detail))


def _owned(s: Session, order_id: str, customer_id: str | None) -> tuple[m.Order | None, str | None]:
    """(order, None) or (None, 'not_found' / 'not_owner')."""
    o = s.get(m.Order, order_id)
    if o is None:
        return None, "not_found"
    if customer_id is not None and o.customer_id != customer_id:
        return None, "not_owner"
    return o, None


def apply_cancel(s: Session, order_id: str, customer_id: str, reason: str, now: datetime) -> CancelResult:
    o, err = _owned(s, order_id, customer_id)
    if o is None:
        return CancelResult(outcome=err or "not_found", order_id=order_id, status=None)
    if o.status == "cancelled":
        existing = s.get(m.Refund, cancel_refund_id(o.id))
        earlier = refund_record(existing) if existing else None
        return CancelResult(outcome="cancelled", order_id=o.id, status=o.status, refund=earlier, already=True)
    block = rules.cancel_block_reason(order_record(o))
    if block is not None:
        return CancelResult(outcome=block, order_id=o.id, status=o.status)
    refund: m.Refund | None = None
    if o.status == "paid" and o.amount_paid > 0:
        item, shipping, coupon, total = rules.cancellation_refund_amounts(order_record(o))
        method = _payment_method(s, o)
        row = m.Refund(
            id=cancel_refund_id(o.id),
            order_id=o.id,
            status="approved",
            reason="order cancelled before shipment",
            item_amount=item,
            shipping_amount=shipping,
            coupon_deduction=coupon,
            total=total,
            method=method[0],
            bank_name=method[1],
            requested_at=now,
            approved_at=now,
            expected_by=rules.refund_expected_by(method[0], now),
        )
        s.add(row)
        refund = row
    o.status = "cancelled"
    o.cancelled_at = now
    for shipment in o.shipments:
        if shipment.status == "awaiting_pickup":
            shipment.status = "returned"
    _audit(s, now, "cancel_order", o, customer_id, reason=reason, refund_id=refund.id if refund else None)
    s.flush()
    return CancelResult(
        outcome="cancelled", order_id=o.id, status=o.status, refund=refund_record(refund) if refund else None
    )


def _payment_method(s: Session, o: m.Order) -> tuple[str, str | None]:
    """Refunds go back the way the customer paid (Alipay when the order does not say)."""
    return o.payment_method or "alipay", o.payment_bank


def apply_courier_switch(
    s: Session, order_id: str, courier: str, customer_id: str | None, now: datetime
) -> ActionResult:
    o, err = _owned(s, order_id, customer_id)
    if o is None:
        return ActionResult(ok=False, outcome=err or "not_found", order_id=order_id)
    if not o.shipments:
        return ActionResult(ok=False, outcome="no_shipment", order_id=o.id, message="order has no shipment yet")
    shipment = o.shipments[-1]
    if shipment.status in ("delivered", "returned"):
        return ActionResult(ok=False, outcome="already_delivered", order_id=o.id, message=f"parcel is {shipment.status}")
    wanted = resolve_courier(courier) or courier.strip()
    match = next((c for c in shipment.alt_couriers or () if c.casefold() == wanted.casefold()), None)
    if match is None:
        choices = ", ".join(shipment.alt_couriers or ()) or "none"
        return ActionResult(
            ok=False, outcome="courier_unavailable", order_id=o.id, message=f"{courier!r} not available; options: {choices}"
        )
    if shipment.requested_courier == match:
        return ActionResult(ok=True, outcome="switch_requested", order_id=o.id, ref_id=shipment.id, already=True)
    shipment.requested_courier = match
    _audit(s, now, "request_courier_switch", o, customer_id, shipment_id=shipment.id, courier=match)
    return ActionResult(ok=True, outcome="switch_requested", order_id=o.id, ref_id=shipment.id)


def apply_return_request(
    s: Session,
    order_id: str,
    reason_category: str,
    note: str,
    kind: str,
    customer_id: str | None,
    now: datetime,
) -> ActionResult:
    if reason_category not in m.RETURN_REASONS:
        return ActionResult(ok=False, outcome="bad_value", order_id=order_id, message="reason_category must be quality or personal")
    if kind not in m.RETURN_KINDS:
        return ActionResult(ok=False, outcome="bad_value", order_id=order_id, message="kind must be return or exchange")
    o, err = _owned(s, order_id, customer_id)
    if o is None:
        return ActionResult(ok=False, outcome=err or "not_found", order_id=order_id)
    open_same = [r for r in o.returns if r.kind == kind and r.status not in _CLOSED_RETURN]
    if open_same:
        return ActionResult(ok=True, outcome="return_requested", order_id=o.id, ref_id=open_same[0].id, already=True)
    if o.status not in ("delivered", "completed", "return_requested"):
        return ActionResult(
            ok=False, outcome="not_delivered", order_id=o.id, message=f"order is {o.status}; returns start after delivery"
        )
    ref = f"RT{o.id[1:]}{len(o.returns) + 1:02d}"
    s.add(m.ReturnRequest(
        id=ref, order_id=o.id, kind=kind, reason_category=reason_category, note=note, status="requested", created_at=now
    ))
    if kind == "return":
        o.status = "return_requested"
    _audit(s, now, "create_return_request", o, customer_id, return_id=ref, kind=kind, reason=reason_category)
    s.flush()
    return ActionResult(ok=True, outcome="return_requested", order_id=o.id, ref_id=ref)


def _invoice_problem(kind: str, title: str, tax_id: str, email: str) -> str | None:
    if kind not in m.INVOICE_KINDS:
        return f"kind must be one of {', '.join(m.INVOICE_KINDS)}"
    if not title.strip():
        return "title is required"
    if kind == "vat_special" and not tax_id:
        return "a VAT special invoice needs the buyer's tax id"
    if tax_id and not _TAX_ID.match(tax_id):
        return "tax id must be 15-20 digits or capital letters"
    if kind == "electronic" and not _EMAIL.match(email):
        return "an electronic invoice needs a valid e-mail address"
    return None


def apply_invoice_request(
    s: Session,
    order_id: str,
    kind: str,
    title: str,
    tax_id: str,
    email: str,
    customer_id: str | None,
    now: datetime,
) -> ActionResult:
    tax_id, email = tax_id.strip().upper(), email.strip()
    problem = _invoice_problem(kind, title, tax_id, email)
    if problem:
        return ActionResult(ok=False, outcome="bad_value", order_id=order_id, message=problem)
    o, err = _owned(s, order_id, customer_id)
    if o is None:
        return ActionResult(ok=False, outcome=err or "not_found", order_id=order_id)
    existing = [i for i in o.invoices if i.status in ("requested", "issued")]
    if existing:
        return ActionResult(ok=True, outcome=f"invoice_{existing[0].status}", order_id=o.id, ref_id=existing[0].id, already=True)
    if o.status in ("pending_payment", "cancelled", "refunded"):
        return ActionResult(ok=False, outcome="not_invoiceable", order_id=o.id, message=f"order is {o.status}")
    ref = f"IV{o.id[1:]}{len(o.invoices) + 1:02d}"
    s.add(m.Invoice(
        id=ref, order_id=o.id, kind=kind, title=title.strip(), tax_id=tax_id, email=email, status="requested", requested_at=now
    ))
    o.invoice_requested = True
    _audit(s, now, "request_invoice", o, customer_id, invoice_id=ref, kind=kind)
    s.flush()
    return ActionResult(ok=True, outcome="invoice_requested", order_id=o.id, ref_id=ref)


def apply_address_change(
    s: Session, order_id: str, address: AddressRecord, customer_id: str | None, now: datetime
) -> ActionResult:
    if not (address.province.strip() and address.city.strip() and address.detail.strip()):
        return ActionResult(ok=False, outcome="bad_value", order_id=order_id, message="province, city and detail are required")
    o, err = _owned(s, order_id, customer_id)
    if o is None:
        return ActionResult(ok=False, outcome=err or "not_found", order_id=order_id)
    current = (o.address_province, o.address_city, o.address_detail)
    new = (address.province.strip(), address.city.strip(), address.detail.strip())
    if current == new:
        return ActionResult(ok=True, outcome="address_changed", order_id=o.id, already=True)
    if not rules.can_change_address(order_record(o)):
        return ActionResult(ok=False, outcome="already_shipped", order_id=o.id, message=f"order is {o.status}")
    o.address_province, o.address_city, o.address_detail = new
    _audit(s, now, "change_address", o, customer_id, old=list(current), new=list(new))
    return ActionResult(ok=True, outcome="address_changed", order_id=o.id)
