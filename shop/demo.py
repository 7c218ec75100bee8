"""Deterministic demo shop: the five fixed customers of docs/design.md plus ~115 generated ones."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shop.catalogue import Product, load_products
from shop.demo_builder import DemoBuilder, OrderPlan
from shop.demo_bulk import bulk_plans
from shop.demo_people import BANKS, PLACES, REMOTE_ALTERNATIVES, REMOTE_PLACES
from shop.exchange import Rows

SEED = 20261111
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class FixedCustomer:
    id: str
    name: str
    lang: str
    tier: str
    phone: str
    summary: str


FIXED_CUSTOMERS = (
    FixedCustomer("C1001", "张伟", "zh", "gold", "13800001001", "one order in each status"),
    FixedCustomer("C1002", "Emily Chen", "en", "none", "13900001002", "English speaker; delayed parcel (weather), a refund in progress"),
    FixedCustomer("C1003", "李娜", "zh", "diamond", "13700001003", "VIP, high-ticket sofa + fridge orders"),
    FixedCustomer("C1004", "王强", "zh", "none", "13600001004", "courier cannot reach area; fresh-food order (no 7-day return)"),
    FixedCustomer("C1005", "Tom Baker", "en", "silver", "13500001005", "customised item; late refund; lost parcel"),
)


@dataclass(frozen=True)
class DemoDataset:
    rows: Rows
    notes: dict[str, str]  # order id -> what it demonstrates (fixed customers only)
    now: datetime


class Picker:
    """Finds catalogue products by sku or by a property, falling back to any product."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = tuple(products)

    def sku(self, sku: str, **fallback: object) -> Product:
        for p in self.products:
            if p.sku == sku:
                return p
        return self.like(**fallback) if fallback else self.products[0]

    def like(self, **props: object) -> Product:
        for p in self.products:
            if all(getattr(p, k) == v for k, v in props.items()):
                return p
        return self.products[0]

    def where(self, **props: object) -> list[Product]:
        return [p for p in self.products if all(getattr(p, k) == v for k, v in props.items())] or list(self.products)


def _fixed_plans(pick: Picker) -> list[tuple[OrderPlan, str]]:
    """Plans of the fixed customers with what each order demonstrates."""
    bj, sh, sz, gz, cd = PLACES[0], PLACES[1], PLACES[3], PLACES[2], PLACES[6]
    ali = REMOTE_PLACES[0]
    P = OrderPlan
    return [
        (P("E1001000001", "C1001", "pending_payment", 0.1, [(pick.sku("KETTLE-STEEL-17", category="small_appliance"), 1)], bj),
         "pending payment (awaiting payment; cancel needs no refund)"),
        (P("E1001000002", "C1001", "paid", 0.6, [(pick.sku("JEANS-SLIM-M", category="apparel"), 1), (pick.sku("TSHIRT-COT-BASIC", category="apparel"), 2)], bj,
           coupon=Decimal("20")), "paid, not shipped: can be cancelled (full refund incl. coupon breakdown) or address changed"),
        (P("E1001000003", "C1001", "shipped", 1.5, [(pick.sku("SNEAK-RUN-AIR", category="shoes"), 1)], bj, courier="YTO"),
         "shipped, in transit normally (too late to cancel)"),
        (P("E1001000004", "C1001", "delivered", 4, [(pick.sku("AIRFRY-CRISP-5L", category="small_appliance"), 1)], bj, insurance=True),
         "delivered 1 day ago, shipping insurance: 7-day no-reason return eligible"),
        (P("E1001000005", "C1001", "completed", 40, [(pick.sku("RICE-SMART-4L", category="small_appliance"), 1)], bj, invoice="issued"),
         "completed; electronic invoice issued"),
        (P("E1001000006", "C1001", "cancelled", 20, [(pick.sku("SERUM-HYA-30", category="beauty"), 1)], bj),
         "cancelled after payment; refund paid to Alipay"),
        (P("E1001000007", "C1001", "return_requested", 6, [(pick.sku("DOWN-JKT-W", category="apparel"), 1)], bj, insurance=True,
           return_reason="personal", return_status="approved", remark="尺码偏小"),
         "return requested for a personal reason (size), has shipping insurance"),
        (P("E1001000008", "C1001", "refunding", 10, [(pick.sku("VAC-ROBO-S1", category="small_appliance"), 1)], bj,
           return_reason="quality", return_status="item_received", refund="processing", remark="无法充电"),
         "quality return received, refund processing (not late; shop pays return postage)"),
        (P("E1001000009", "C1001", "refunded", 30, [(pick.sku("TOWEL-COT-SET", category="home"), 2)], bj,
           return_reason="quality", return_status="completed", refund="paid", remark="掉毛严重"),
         "refunded (quality return completed, refund paid)"),
        (P("E1002000001", "C1002", "shipped", 4, [(pick.sku("EARBUD-ANC-PRO", category="electronics"), 1)], sh, courier="SF", delay="weather"),
         "delayed parcel: held by severe weather, honest new ETA"),
        (P("E1002000002", "C1002", "refunding", 12, [(pick.sku("SNEAK-RUN-AIR", category="shoes"), 1)], sh, payment=("wechat", None),
           insurance=True, return_reason="personal", return_status="item_received", refund="processing", remark="doesn't fit"),
         "refund in progress (WeChat Pay, within the normal time); personal-reason return with insurance"),
        (P("E1002000003", "C1002", "completed", 60, [(pick.sku("SUNSCR-SPF50", category="beauty"), 2)], sh),
         "completed order"),
        (P("E1003000001", "C1003", "shipped", 3, [(pick.sku("SOFA-LUNA-3S", category="furniture"), 1)], sz, courier="RRS",
           invoice="requested", invoice_kind="vat_special"),
         "high-ticket sofa (≥ ¥5,000) in transit by bulky-goods courier; VAT special invoice requested"),
        (P("E1003000002", "C1003", "paid", 0.5, [(pick.sku("FRIDGE-FROST-520", category="appliance"), 1)], sz, courier="RRS",
           payment=("bank_card", BANKS[0])), "high-ticket fridge (≥ ¥5,000), paid and not shipped"),
        (P("E1003000003", "C1003", "pending_payment", 2, [(pick.sku("WASH-AQUA-10KG", category="appliance"), 1)], sz,
           presale="deposit", remark="预售：定金已付，尾款待付"),
         "pre-sale with deposit paid, balance due in 3 days (cancelling needs a human)"),
        (P("E1003000004", "C1003", "completed", 90, [(pick.sku("TV-VISTA-65", category="appliance"), 1)], sz, invoice="issued",
           invoice_kind="paper"), "completed TV order; paper invoice issued"),
        (P("E1004000001", "C1004", "shipped", 5, [(pick.sku("DOWN-JKT-W", category="apparel"), 1)], ali, courier="ZTO",
           delay="courier_unreachable", alt_couriers=REMOTE_ALTERNATIVES),
         "contracted courier cannot reach the address; EMS or SF can (offer a switch)"),
        (P("E1004000002", "C1004", "delivered", 3.5, [(pick.sku("CHERRY-CL-2KG", special="fresh"), 1)], cd, courier="SF"),
         "fresh food delivered: excluded from the 7-day no-reason return"),
        (P("E1004000003", "C1004", "completed", 25, [(pick.sku("TSHIRT-COT-BASIC", category="apparel"), 3)], cd),
         "completed order"),
        (P("E1005000001", "C1005", "delivered", 4, [(pick.sku("MUG-PHOTO-CUS", special="customised"), 2)], gz),
         "customised item delivered: excluded from the 7-day no-reason return"),
        (P("E1005000002", "C1005", "refunding", 25, [(pick.sku("WATCH-FIT-S2", category="electronics"), 1)], gz,
           payment=("bank_card", BANKS[0]), return_reason="quality", return_status="item_received", refund="processing",
           refund_late=True, remark="screen flickers"),
         "LATE refund to a bank card (past its expected date): chase it"),
        (P("E1005000003", "C1005", "shipped", 10, [(pick.sku("BOOT-CHEL-LEA", category="shoes"), 1)], gz, courier="YUNDA", lost=True),
         "lost parcel: no tracking update for 5+ days"),
    ]


def _add_fixed_customers(b: DemoBuilder) -> None:
    for n, c in enumerate(FIXED_CUSTOMERS):
        b.customer(c.id, c.name, c.phone, c.tier, c.lang, 400 - 30 * n)


def generate(now: datetime | None = None, products: Sequence[Product] | None = None, seed: int = SEED) -> DemoDataset:
    """The whole demo dataset, deterministic for a given (now, catalogue, seed)."""
    now = (now or datetime.now()).replace(microsecond=0)
    rng = random.Random(seed)
    pick = Picker(products if products is not None else load_products())
    b = DemoBuilder(now, rng)
    _add_fixed_customers(b)
    notes = {}
    for plan, note in _fixed_plans(pick):
        b.order(plan)
        notes[plan.id] = note
    for plan in bulk_plans(b, pick, rng):
        b.order(plan)
    return DemoDataset(rows=b.rows, notes=notes, now=now)


def render_demo_md(ds: DemoDataset) -> str:
    """shop/DEMO.md: the fixed customers and their orders with what each demonstrates."""
    orders = {o["id"]: o for o in ds.rows["orders"]}
    lines = [
        "# Demo shop: fixed customers and orders",
        "",
        "Generated by `python -m shop demo-doc` from `shop/demo.py` (do not edit by hand).",
        "Dates are relative to the moment the demo is loaded (`python -m shop demo`), so the",
        "scenarios (late refund, lost parcel, delays) hold on any day. Sign in to the web chat",
        "with one of these customer ids; the phone's last four digits verify an order.",
        "",
    ]
    for c in FIXED_CUSTOMERS:
        lines += [f"## {c.id} {c.name} ({c.lang}, tier {c.tier}, phone {c.phone})", "", c.summary, "",
                  "| order | status | amount paid (¥) | items | demonstrates |", "|---|---|---|---|---|"]
        for oid, note in ds.notes.items():
            o = orders[oid]
            if o["customer_id"] != c.id:
                continue
            name = "name_en" if c.lang == "en" else "name"
            items = ", ".join(f"{i[name]} ×{i['qty']}" for i in ds.rows["items"] if i["order_id"] == oid)
            lines.append(f"| `{oid}` | {o['status']} | {o['amount_paid']} | {items} | {note} |")
        lines.append("")
    counts = {t: len(r) for t, r in ds.rows.items()}
    lines += ["## Whole dataset", "", ", ".join(f"{n} {t}" for t, n in counts.items()) + ".", ""]
    return "\n".join(lines)
