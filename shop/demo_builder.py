"""Turn one planned demo order (status, items, scenario flags) into consistent table rows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shop.catalogue import Product
from shop.couriers import courier_name, delay_cause_text
from shop.exchange import Rows
from shop.rules import REFUND_DAYS
from shop.schema import LOAD_ORDER

H = timedelta(hours=1)
D = timedelta(days=1)
CENT = Decimal("0.01")
ORIGIN = ("杭州", "Hangzhou")
# Leg offsets (hours after pick-up) of the normal tracking story; delivery is the last.
LEGS = (0, 6, 12, 30, 40, 44)


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    city_en: str
    detail: str


@dataclass
class OrderPlan:
    """What one demo order should demonstrate; the builder derives every timestamp and amount."""

    id: str
    customer_id: str
    status: str
    age_days: float  # created this long before "now"
    lines: list[tuple[Product, int]]
    place: Place
    courier: str = "ZTO"
    payment: tuple[str, str | None] = ("alipay", None)
    insurance: bool = False
    coupon: Decimal = Decimal("0")
    delay: str = "none"  # delay cause while in transit (or overdue shipment when status is paid)
    lost: bool = False  # in transit, no tracking update for 5+ days
    overdue: bool = False  # paid, promised ship-by date passed
    alt_couriers: tuple[str, ...] = ()
    refund: str | None = None  # refund status, if any
    refund_late: bool = False
    return_reason: str | None = None
    return_kind: str = "return"
    return_status: str = "requested"
    invoice: str | None = None  # requested | issued
    invoice_kind: str = "electronic"
    presale: str | None = None  # deposit (balance unpaid) | balance_paid
    remark: str = ""
    notes: list[str] = field(default_factory=list)


class DemoBuilder:
    """Accumulates rows for the exchange tables (the same shape the importer produces)."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.rows: Rows = {t: [] for t in LOAD_ORDER}

    def customer(self, cid: str, name: str, phone: str, tier: str, lang: str, age_days: float) -> None:
        self.rows["customers"].append({
            "id": cid, "name": name, "phone": phone, "vip_tier": tier, "lang": lang,
            "created_at": self._t(self.now - age_days * D),
        })

    @staticmethod
    def _t(value: datetime) -> datetime:
        return value.replace(microsecond=0)

    def order(self, p: OrderPlan) -> None:
        created = self._t(self.now - p.age_days * D)
        items_total = sum((prod.price * qty for prod, qty in p.lines), Decimal("0"))
        shipping_fee = Decimal("0") if items_total >= 99 else Decimal("10")
        coupon = min(p.coupon, items_total).quantize(CENT)
        full = items_total + shipping_fee - coupon
        paid_at = None if p.status == "pending_payment" else created + 5 * timedelta(minutes=1)
        row: dict[str, Any] = {
            "id": p.id, "customer_id": p.customer_id, "status": p.status, "created_at": created,
            "paid_at": paid_at, "shipped_at": None, "delivered_at": None, "cancelled_at": None,
            "items_total": items_total, "shipping_fee": shipping_fee, "coupon_discount": coupon,
            "amount_paid": full if paid_at else Decimal("0.00"),
            "payment_method": p.payment[0] if paid_at else None, "payment_bank": p.payment[1] if paid_at else None,
            "has_shipping_insurance": p.insurance, "is_presale": p.presale is not None,
            "deposit_amount": None, "deposit_paid_at": None, "balance_due_by": None, "balance_paid_at": None,
            "remark": p.remark, "address_province": p.place.province, "address_city": p.place.city,
            "address_detail": p.place.detail, "invoice_requested": p.invoice is not None,
            "invoice_issued": p.invoice == "issued",
        }
        if p.presale:
            self._presale(row, p, full, created)
        for n, (prod, qty) in enumerate(p.lines, start=1):
            self.rows["items"].append({
                "order_id": p.id, "line": n, "sku": prod.sku, "name": prod.name_zh, "name_en": prod.name_en,
                "category": prod.category, "qty": qty, "unit_price": prod.price, "special": prod.special,
            })
        if p.status == "cancelled":
            row["cancelled_at"] = created + 3 * H
            if paid_at:
                self._refund(p, row, row["cancelled_at"], full_cancel=True)
        elif p.status == "paid":
            self._awaiting_pickup(p, row)
        elif p.status != "pending_payment":
            self._shipment(p, row)
            self._after_sale(p, row)
        if p.invoice:
            self._invoice(p, row)
        self.rows["orders"].append(row)

    def _presale(self, row: dict[str, Any], p: OrderPlan, full: Decimal, created: datetime) -> None:
        deposit = (full * Decimal("0.1")).quantize(Decimal("1")).quantize(CENT)
        row["deposit_amount"] = deposit
        row["deposit_paid_at"] = created + 5 * timedelta(minutes=1)
        row["payment_method"], row["payment_bank"] = p.payment
        if p.presale == "deposit":
            row["balance_due_by"] = self._t(self.now + 3 * D)
            row["amount_paid"] = deposit
        else:
            row["balance_due_by"] = created + 10 * D
            row["balance_paid_at"] = created + 9 * D
            row["paid_at"] = row["balance_paid_at"]

    def _awaiting_pickup(self, p: OrderPlan, row: dict[str, Any]) -> None:
        paid_at = row["balance_paid_at"] or row["paid_at"]
        promised = (paid_at + 2 * D).date() if not p.presale else (self.now + 10 * D).date()
        self.rows["shipments"].append({
            "id": f"SH{p.id[1:]}", "order_id": p.id, "courier": p.courier, "tracking_no": "",
            "status": "awaiting_pickup", "promised_ship_by": promised, "eta": None,
            "delay_cause": p.delay if p.overdue else "none", "alt_couriers": list(p.alt_couriers),
            "requested_courier": None,
        })

    def _shipment(self, p: OrderPlan, row: dict[str, Any]) -> None:
        shipped = (row["balance_paid_at"] or row["paid_at"]) + 20 * H
        row["shipped_at"] = shipped
        dest_zh, dest_en = p.place.city, p.place.city_en
        stories = [
            (ORIGIN[0], f"【{ORIGIN[0]}】{courier_name(p.courier)}已揽收", f"Picked up by {courier_name(p.courier, 'en')} in {ORIGIN[1]}"),
            (ORIGIN[0], f"【{ORIGIN[0]}】已到达{ORIGIN[0]}转运中心", f"Arrived at the {ORIGIN[1]} sorting centre"),
            (ORIGIN[0], f"【{ORIGIN[0]}】已发往{dest_zh}", f"Departed {ORIGIN[1]} for {dest_en}"),
            (dest_zh, f"【{dest_zh}】已到达{dest_zh}转运中心", f"Arrived at the {dest_en} sorting centre"),
            (dest_zh, f"【{dest_zh}】派送中，快递员将尽快送达", f"Out for delivery in {dest_en}"),
            (dest_zh, f"【{dest_zh}】已签收，签收人：本人", f"Delivered in {dest_en}, signed by the recipient"),
        ]
        delivered_status = p.status not in ("shipped",)
        events = [(shipped + h * H, *s) for h, s in zip(LEGS, stories, strict=True)]
        status, eta, alt = "in_transit", (shipped + 3 * D).date(), list(p.alt_couriers)
        if delivered_status:
            status, eta = "delivered", events[-1][0].date()
            row["delivered_at"] = events[-1][0]
        elif p.lost:
            events = events[:3]
        elif p.delay != "none":
            stop = 4 if p.delay in ("courier_unreachable", "weather", "large_event") else 2
            events = events[:stop]
            last = events[-1]
            loc = last[1]
            if p.delay == "courier_unreachable":
                held = (f"【{loc}】目的地超出{courier_name(p.courier)}派送范围，暂无法派送",
                        f"The address is outside {courier_name(p.courier, 'en')}'s delivery area; cannot deliver")
            else:
                held = (f"【{loc}】因{delay_cause_text(p.delay)}，快件暂时滞留，恢复后将第一时间派送",
                        f"Held because of {delay_cause_text(p.delay, 'en')}; it moves on as soon as possible")
            events.append((last[0] + 4 * H, loc, *held))
            status = "exception"
            eta = (self.now + 3 * D).date()
        else:
            events = [e for e in events[:-1] if e[0] <= self.now]
            if len(events) == 5:
                status = "out_for_delivery"
        self.rows["shipments"].append({
            "id": f"SH{p.id[1:]}", "order_id": p.id, "courier": p.courier,
            "tracking_no": f"{p.courier}{self.rng.randrange(10**11, 10**12)}", "status": status,
            "promised_ship_by": ((row["balance_paid_at"] or row["paid_at"]) + 2 * D).date(), "eta": eta,
            "delay_cause": p.delay, "alt_couriers": alt, "requested_courier": None,
        })
        for seq, (at, loc, zh, en) in enumerate(events, start=1):
            self.rows["events"].append({"shipment_id": f"SH{p.id[1:]}", "seq": seq, "at": self._t(at),
                                        "location": loc, "description_zh": zh, "description_en": en})

    def _after_sale(self, p: OrderPlan, row: dict[str, Any]) -> None:
        if p.return_reason is None and p.refund is None:
            return
        delivered = row["delivered_at"] or self.now - D
        started = min(delivered + D, self.now - 2 * H)
        if p.return_reason:
            self.rows["returns"].append({
                "id": f"RT{p.id[1:]}01", "order_id": p.id, "kind": p.return_kind, "reason_category": p.return_reason,
                "note": p.remark, "status": p.return_status, "created_at": self._t(started),
            })
        if p.refund:
            self._refund(p, row, started, full_cancel=False)

    def _refund(self, p: OrderPlan, row: dict[str, Any], requested: datetime, full_cancel: bool) -> None:
        method, bank = row["payment_method"] or "alipay", row["payment_bank"]
        status = p.refund or "paid"
        if full_cancel:
            item, shipping, coupon = row["items_total"], row["shipping_fee"], row["coupon_discount"]
            if row["is_presale"] and row["balance_paid_at"] is None:
                item, shipping, coupon = row["amount_paid"], Decimal("0"), Decimal("0")
        else:
            item, coupon = row["items_total"], row["coupon_discount"]
            shipping = Decimal("12.00") if p.return_reason == "quality" else Decimal("0")
        if status in ("approved", "processing") and not p.refund_late:
            requested = max(requested, self.now - 20 * H)  # open and on time: started recently
        approved = None if status in ("requested", "rejected") else requested + 2 * H
        if p.refund_late:
            approved = self._t(self.now - (REFUND_DAYS[method] + 6) * D)
            requested = approved - 6 * H
        paid = approved + 20 * H if status == "paid" and approved else None
        self.rows["refunds"].append({
            "id": f"R{p.id[1:]}01", "order_id": p.id, "status": status,
            "reason": "订单取消" if full_cancel else (p.remark or "退货退款"),
            "item_amount": item, "shipping_amount": shipping, "coupon_deduction": coupon,
            "total": item + shipping - coupon, "method": method, "bank_name": bank,
            "requested_at": self._t(requested), "approved_at": approved and self._t(approved),
            "paid_at": paid and self._t(paid),
            "expected_by": approved and self._t(approved + REFUND_DAYS[method] * D),
        })

    def _invoice(self, p: OrderPlan, row: dict[str, Any]) -> None:
        requested = row["paid_at"] or row["created_at"]
        company = p.invoice_kind == "vat_special"
        self.rows["invoices"].append({
            "id": f"IV{p.id[1:]}01", "order_id": p.id, "kind": p.invoice_kind,
            "title": "杭州云帆科技有限公司" if company else "个人",
            "tax_id": "91330106MA2CFX1234" if company else "", "email": "" if p.invoice_kind != "electronic" else f"{p.customer_id.lower()}@example.com",
            "status": p.invoice or "requested", "requested_at": self._t(requested + H),
            "issued_at": self._t(requested + D) if p.invoice == "issued" else None,
        })
