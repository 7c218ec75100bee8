"""Plain-text summaries of orders and customers for the CLI and agents (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shop import rules
from shop.couriers import courier_name, delay_cause_text
from shop.records import CustomerRecord, OrderRecord


def _t(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def describe_order(o: OrderRecord, now: datetime) -> str:
    """Multi-line summary: amounts, items, shipment and events, refunds, returns, invoices, warnings."""
    lines = [
        f"order {o.id}  customer {o.customer_id}  status {o.status}",
        f"  created {_t(o.created_at)}  paid {_t(o.paid_at)}  shipped {_t(o.shipped_at)}  delivered {_t(o.delivered_at)}",
        f"  items ¥{o.items_total} + shipping ¥{o.shipping_fee} - coupon ¥{o.coupon_discount} = paid ¥{o.amount_paid}"
        f" ({o.payment_method or 'unpaid'}{' ' + o.payment_bank if o.payment_bank else ''})",
        f"  shipping insurance: {'yes' if o.has_shipping_insurance else 'no'}"
        + (f"  pre-sale deposit ¥{o.deposit_amount}, balance due {_t(o.balance_due_by)}, paid {_t(o.balance_paid_at)}"
           if o.is_presale else ""),
        f"  address: {o.address.province} {o.address.city} {o.address.detail}",
    ]
    if o.remark:
        lines.append(f"  remark: {o.remark}")
    for i in o.items:
        lines.append(f"  - {i.sku} {i.name} ×{i.qty} @ ¥{i.unit_price} [{i.category}{', ' + i.special if i.special != 'none' else ''}]")
    for s in o.shipments:
        lines.append(f"  shipment {s.id}: {courier_name(s.courier)} {s.tracking_no} {s.status}, ship by {s.promised_ship_by}, ETA {s.eta}")
        if s.delay_cause != "none":
            lines.append(f"    delay: {delay_cause_text(s.delay_cause)}; alternatives: {', '.join(s.alt_couriers) or '-'}")
        if s.requested_courier:
            lines.append(f"    switch requested to {courier_name(s.requested_courier)}")
        for e in s.events:
            lines.append(f"    {_t(e.at)}  {e.description_zh}")
        if rules.is_parcel_stalled(s, now):
            lines.append(f"    ! no tracking update for {rules.days_since_last_update(s, now):.1f} days")
    for r in o.refunds:
        late = "  ! LATE" if rules.is_refund_late(r, now) else ""
        lines.append(f"  refund {r.id}: {r.status} ¥{r.total} (items {r.item_amount} + shipping {r.shipping_amount}"
                     f" - coupon {r.coupon_deduction}) to {r.method}{' ' + r.bank_name if r.bank_name else ''},"
                     f" expected by {_t(r.expected_by)}{late}")
    for rt in o.returns:
        lines.append(f"  {rt.kind} {rt.id}: {rt.reason_category} reason, {rt.status} ({_t(rt.created_at)}) {rt.note}")
    for inv in o.invoices:
        lines.append(f"  invoice {inv.id}: {inv.kind} '{inv.title}' {inv.status}")
    return "\n".join(lines)


def describe_customer(c: CustomerRecord, orders: Sequence[OrderRecord]) -> str:
    lines = [f"customer {c.id} {c.name}  tier {c.vip_tier}  lang {c.lang}  phone {c.phone}"]
    for o in orders:
        names = ", ".join(i.name for i in o.items)
        lines.append(f"  {o.id}  {_t(o.created_at)}  {o.status:<16} ¥{o.amount_paid:>9}  {names}")
    return "\n".join(lines)
