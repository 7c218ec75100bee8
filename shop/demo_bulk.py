"""Generated demo customers and orders: a fixed list of edge cases first, then seeded random orders."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shop.catalogue import Product
from shop.demo_builder import DemoBuilder, OrderPlan, Place
from shop.demo_people import (
    BANKS,
    BULKY_COURIER,
    COURIER_POOL,
    EN_FIRST,
    EN_LAST,
    GIVEN,
    PAYMENTS,
    PLACES,
    REMOTE_ALTERNATIVES,
    REMOTE_PLACES,
    SURNAMES,
)

if TYPE_CHECKING:
    from shop.demo import Picker

FIRST_BULK_CUSTOMER = 1006
BULK_CUSTOMERS = 115
STATUS_WEIGHTS = {
    "completed": 30, "delivered": 14, "shipped": 16, "paid": 9, "pending_payment": 5,
    "cancelled": 9, "return_requested": 5, "refunding": 6, "refunded": 6,
}
AGE_RANGE = {
    "pending_payment": (0.02, 0.9), "paid": (0.1, 1.6), "shipped": (1.6, 2.8), "delivered": (3.0, 9.0),
    "completed": (12.0, 180.0), "cancelled": (1.5, 90.0), "return_requested": (4.5, 9.0),
    "refunding": (6.0, 20.0), "refunded": (8.0, 90.0),
}
TIERS = ("none",) * 11 + ("silver",) * 5 + ("gold",) * 3 + ("diamond",)
DELAYS = ("weather", "epidemic", "large_event", "peak_season", "warehouse_backlog")


def _customers(b: DemoBuilder, rng: random.Random) -> list[tuple[str, Place]]:
    out = []
    for n in range(BULK_CUSTOMERS):
        cid = f"C{FIRST_BULK_CUSTOMER + n}"
        if rng.random() < 0.15:
            name, lang = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}", "en"
        else:
            name, lang = rng.choice(SURNAMES) + rng.choice(GIVEN), "zh"
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        b.customer(cid, name, phone, rng.choice(TIERS), lang, rng.uniform(200, 900))
        out.append((cid, rng.choice(PLACES)))
    return out


def _coverage(pick: Picker) -> list[dict[str, Any]]:
    """One order per edge case the bot must handle (beyond the fixed customers)."""
    small = pick.where(high_ticket=False, special="none")
    high = pick.where(high_ticket=True)
    fresh, custom = pick.where(special="fresh"), pick.where(special="customised")
    one = lambda p: [(p, 1)]  # noqa: E731
    s0, s1, s2 = small[0], small[min(3, len(small) - 1)], small[min(6, len(small) - 1)]
    return [
        dict(status="shipped", age_days=4, lines=one(s0), delay="weather", remark="暴雪"),
        dict(status="shipped", age_days=4.5, lines=one(s1), delay="epidemic"),
        dict(status="shipped", age_days=3.5, lines=one(s2), delay="large_event", remark="马拉松交通管制"),
        dict(status="shipped", age_days=3, lines=one(s0), delay="peak_season", remark="双11大促"),
        dict(status="shipped", age_days=3.2, lines=one(s1), delay="peak_season", remark="双11大促"),
        dict(status="shipped", age_days=5, lines=one(s2), delay="courier_unreachable", place=REMOTE_PLACES[1],
             alt_couriers=REMOTE_ALTERNATIVES),
        dict(status="shipped", age_days=6, lines=one(s0), delay="courier_unreachable", place=REMOTE_PLACES[2],
             alt_couriers=("EMS",)),
        dict(status="paid", age_days=4, lines=one(s1), delay="warehouse_backlog", overdue=True),
        dict(status="shipped", age_days=9, lines=one(s2), lost=True),
        dict(status="shipped", age_days=11.5, lines=one(s0), lost=True),
        dict(status="return_requested", age_days=6, lines=one(s1), return_reason="quality", insurance=True, refund="requested"),
        dict(status="return_requested", age_days=6.5, lines=one(s2), return_reason="quality", insurance=False),
        dict(status="return_requested", age_days=5, lines=one(s0), return_reason="personal", insurance=True),
        dict(status="return_requested", age_days=7, lines=one(s1), return_reason="personal", insurance=False),
        dict(status="delivered", age_days=5, lines=one(s2), return_reason="quality", return_kind="exchange"),
        dict(status="refunding", age_days=9, lines=one(s0), return_reason="quality", return_status="item_received", refund="approved"),
        dict(status="refunding", age_days=12, lines=one(s1), return_reason="personal", return_status="item_received",
             refund="processing", payment=("bank_card", BANKS[1])),
        dict(status="refunding", age_days=20, lines=one(s2), return_reason="quality", return_status="item_received",
             refund="processing", refund_late=True, payment=("bank_card", BANKS[2])),
        dict(status="refunding", age_days=14, lines=one(s0), return_reason="quality", return_status="item_received",
             refund="processing", refund_late=True, payment=("alipay", None)),
        dict(status="refunded", age_days=15, lines=one(s1), return_reason="personal", return_status="completed", refund="paid"),
        dict(status="completed", age_days=30, lines=one(custom[0]), return_reason="personal", return_status="rejected",
             refund="rejected", remark="定制商品不支持七天无理由"),
        dict(status="delivered", age_days=3.5, lines=one(fresh[0])),
        dict(status="completed", age_days=20, lines=one(fresh[-1])),
        dict(status="refunded", age_days=10, lines=one(fresh[0]), refund="paid", remark="到货腐坏，仅退款", return_reason=None),
        dict(status="paid", age_days=0.8, lines=one(custom[-1])),
        dict(status="delivered", age_days=4, lines=one(custom[0])),
        dict(status="delivered", age_days=5, lines=one(pick.like(special="intimate"))),
        dict(status="completed", age_days=15, lines=one(pick.like(special="digital"))),
        dict(status="pending_payment", age_days=3, lines=one(high[-1]), presale="deposit", remark="预售：定金已付"),
        dict(status="pending_payment", age_days=5, lines=one(s0), presale="deposit", remark="预售：定金已付"),
        dict(status="shipped", age_days=11.2, lines=one(high[0]), presale="balance_paid", courier=BULKY_COURIER),
        dict(status="paid", age_days=9.4, lines=one(s1), presale="balance_paid"),
        dict(status="completed", age_days=60, lines=one(high[0]), courier=BULKY_COURIER, invoice="issued", invoice_kind="vat_special"),
        dict(status="delivered", age_days=6, lines=one(high[min(1, len(high) - 1)]), courier=BULKY_COURIER, invoice="requested"),
        dict(status="cancelled", age_days=12, lines=one(high[-1]), payment=("bank_card", BANKS[3])),
        dict(status="refunding", age_days=10, lines=one(high[-1]), return_reason="quality", return_status="item_received",
             refund="processing", courier=BULKY_COURIER),
        dict(status="paid", age_days=1, lines=[(high[0], 1), (high[-1], 1)], courier=BULKY_COURIER),
        dict(status="completed", age_days=25, lines=one(s2), invoice="issued", invoice_kind="electronic"),
        dict(status="shipped", age_days=2, lines=one(s0), invoice="requested", invoice_kind="paper"),
        dict(status="cancelled", age_days=2, lines=one(s1), payment=("wechat", None)),
        dict(status="pending_payment", age_days=0.3, lines=one(s2)),
    ]


def _random_plan(rng: random.Random, pick: Picker, oid: str, cid: str, place: Place) -> OrderPlan:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    pool = pick.products
    lines: list[tuple[Product, int]] = []
    for prod in rng.sample(pool, k=rng.choice((1, 1, 1, 2, 2, 3))):
        if prod.high_ticket and rng.random() < 0.7:
            continue
        lines.append((prod, 1 if prod.high_ticket else rng.choice((1, 1, 2, 3))))
    lines = lines or [(rng.choice([p for p in pool if not p.high_ticket] or list(pool)), 1)]
    total = sum(p.price * q for p, q in lines)
    coupons = [Decimal(c) for c in (0, 0, 0, 5, 10, 20, 50) if c <= total * Decimal("0.2")]
    method = rng.choice(PAYMENTS)
    kw: dict[str, Any] = dict(
        coupon=rng.choice(coupons), payment=(method, rng.choice(BANKS) if method == "bank_card" else None),
        insurance=rng.random() < 0.35,
        courier=BULKY_COURIER if any(p.high_ticket for p, _ in lines) else rng.choice(COURIER_POOL),
    )
    lo, hi = AGE_RANGE[status]
    age = rng.uniform(lo, hi)
    special = any(p.special != "none" for p, _ in lines)
    reason = "quality" if special or rng.random() < 0.45 else "personal"
    if status == "shipped" and rng.random() < 0.15:
        kw["delay"], age = rng.choice(DELAYS[:4]), rng.uniform(3, 6)
    elif status == "shipped" and rng.random() < 0.04:
        kw["lost"], age = True, rng.uniform(8, 12)
    elif status == "return_requested":
        kw.update(return_reason=reason, return_status=rng.choice(("requested", "approved", "item_shipped")),
                  refund="requested" if rng.random() < 0.3 else None)
    elif status == "refunding":
        kw.update(return_reason=reason, return_status="item_received", refund=rng.choice(("approved", "processing")),
                  refund_late=rng.random() < 0.08)
    elif status == "refunded":
        kw.update(return_reason=reason if rng.random() < 0.8 else None, return_status="completed", refund="paid")
    elif status == "completed" and rng.random() < 0.04:
        kw.update(return_reason="personal", return_status="rejected", refund="rejected")
    if status == "completed" and rng.random() < 0.15:
        kw["invoice"] = "issued"
    elif status in ("paid", "shipped", "delivered") and rng.random() < 0.08:
        kw["invoice"] = "requested"
    if kw.get("refund") == "paid" and kw.get("return_reason") is None:
        kw["remark"] = "仅退款"
    return OrderPlan(id=oid, customer_id=cid, status=status, age_days=age, lines=lines, place=place, **kw)


def bulk_plans(b: DemoBuilder, pick: Picker, rng: random.Random) -> list[OrderPlan]:
    """Adds the generated customers to `b` and returns their order plans."""
    customers = _customers(b, rng)
    ids = (f"E2{n:09d}" for n in itertools.count(1))
    plans = []
    for n, spec in enumerate(_coverage(pick)):
        cid, place = customers[n % len(customers)]
        spec.setdefault("place", place)
        plans.append(OrderPlan(id=next(ids), customer_id=cid, **spec))
    for cid, place in customers:
        for _ in range(rng.randint(2, 5)):
            plans.append(_random_plan(rng, pick, next(ids), cid, place))
    return plans
