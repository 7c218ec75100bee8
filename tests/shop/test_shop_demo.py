"""The demo generator covers every status and edge case, is deterministic, consistent and loads idempotently."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from shop import models as m
from shop.catalogue import FALLBACK, load_products
from shop.db import make_engine
from shop.demo import FIXED_CUSTOMERS, DemoDataset, generate, render_demo_md
from shop.repository import ShopRepository
from shop.rules import is_parcel_stalled, is_refund_late
from shop.setup import load_demo, loaded_demo, prepare_demo

NOW = datetime(2026, 11, 26, 10, 0, 0)
REPO_ROOT = Path(__file__).resolve().parents[2]
FUTURE_FIELDS = {"balance_due_by", "expected_by", "promised_ship_by", "eta"}


@pytest.fixture(scope="module")
def ds() -> DemoDataset:
    return generate(NOW)


def _orders(ds: DemoDataset) -> list[dict]:
    return ds.rows["orders"]


def test_size_and_every_status(ds: DemoDataset) -> None:
    assert len(ds.rows["customers"]) >= 120
    assert len(_orders(ds)) >= 300
    assert set(Counter(o["status"] for o in _orders(ds))) == set(m.ORDER_STATUSES)


def test_every_delay_cause_and_lost_parcel(ds: DemoDataset) -> None:
    causes = {s["delay_cause"] for s in ds.rows["shipments"]}
    assert causes == set(m.DELAY_CAUSES)
    unreachable = [s for s in ds.rows["shipments"] if s["delay_cause"] == "courier_unreachable"]
    assert unreachable and all(s["alt_couriers"] for s in unreachable)
    last_event: dict[str, datetime] = {}
    for e in ds.rows["events"]:
        last_event[e["shipment_id"]] = max(e["at"], last_event.get(e["shipment_id"], e["at"]))
    lost = [s for s in ds.rows["shipments"]
            if s["status"] == "in_transit" and (NOW - last_event[s["id"]]).days >= 5]
    assert len(lost) >= 2


def test_refunds_returns_insurance(ds: DemoDataset) -> None:
    assert {r["status"] for r in ds.rows["refunds"]} == set(m.REFUND_STATUSES)
    assert {r["method"] for r in ds.rows["refunds"]} == set(m.REFUND_METHODS)
    late = [r for r in ds.rows["refunds"]
            if r["status"] in ("requested", "approved", "processing") and r["expected_by"] and r["expected_by"] < NOW]
    assert len(late) >= 2
    insured = {o["id"]: o["has_shipping_insurance"] for o in _orders(ds)}
    combos = {(r["reason_category"], insured[r["order_id"]]) for r in ds.rows["returns"]}
    assert combos == {("quality", True), ("quality", False), ("personal", True), ("personal", False)}
    assert {r["kind"] for r in ds.rows["returns"]} == set(m.RETURN_KINDS)


def test_goods_presale_value_tiers_invoices(ds: DemoDataset) -> None:
    assert {i["special"] for i in ds.rows["items"]} == set(m.SPECIAL_GOODS)
    presale = [o for o in _orders(ds) if o["is_presale"]]
    assert any(o["balance_paid_at"] is None for o in presale) and any(o["balance_paid_at"] for o in presale)
    assert all(o["deposit_amount"] and o["deposit_paid_at"] for o in presale)
    assert sum(1 for o in _orders(ds) if o["items_total"] >= Decimal("5000")) >= 3
    assert {c["vip_tier"] for c in ds.rows["customers"]} == set(m.VIP_TIERS)
    assert {c["lang"] for c in ds.rows["customers"]} == set(m.LANGS)
    assert {(i["kind"], i["status"]) for i in ds.rows["invoices"]} >= {("electronic", "issued"), ("vat_special", "issued"),
                                                                      ("paper", "requested")}


def test_amounts_are_consistent(ds: DemoDataset) -> None:
    lines: dict[str, Decimal] = {}
    for i in ds.rows["items"]:
        lines[i["order_id"]] = lines.get(i["order_id"], Decimal("0")) + i["unit_price"] * i["qty"]
    for o in _orders(ds):
        assert o["items_total"] == lines[o["id"]], o["id"]
        full = o["items_total"] + o["shipping_fee"] - o["coupon_discount"]
        if o["paid_at"] and not (o["is_presale"] and o["balance_paid_at"] is None):
            assert o["amount_paid"] == full, o["id"]
    for r in ds.rows["refunds"]:
        assert r["total"] == r["item_amount"] + r["shipping_amount"] - r["coupon_deduction"], r["id"]


def test_no_event_happens_after_now(ds: DemoDataset) -> None:
    for table, rows in ds.rows.items():
        for row in rows:
            for key, value in row.items():
                if isinstance(value, datetime) and key not in FUTURE_FIELDS:
                    assert value <= NOW, (table, row.get("id") or row.get("order_id"), key, value)


def test_fixed_customers_match_design() -> None:
    design = (REPO_ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for c in FIXED_CUSTOMERS:
        assert f"| `{c.id}` | {c.name} | {c.lang} | {c.tier} | {c.phone} |" in design


def test_fixed_orders_are_stable_and_demonstrate_their_story(ds: DemoDataset) -> None:
    assert generate(NOW).rows == ds.rows  # deterministic
    later = generate(datetime(2027, 3, 1, 9, 0))
    assert [o["id"] for o in later.rows["orders"]] == [o["id"] for o in _orders(ds)]
    by_id = {o["id"]: o for o in _orders(ds)}
    c1001 = {o["status"] for o in _orders(ds) if o["customer_id"] == "C1001"}
    assert c1001 == set(m.ORDER_STATUSES)
    ships = {s["order_id"]: s for s in ds.rows["shipments"]}
    assert ships["E1002000001"]["delay_cause"] == "weather"
    assert ships["E1004000001"]["delay_cause"] == "courier_unreachable"
    assert by_id["E1003000001"]["items_total"] >= 5000 and by_id["E1003000002"]["items_total"] >= 5000
    specials = {i["order_id"]: i["special"] for i in ds.rows["items"]}
    assert specials["E1004000002"] == "fresh" and specials["E1005000001"] == "customised"


def test_demo_md_is_current(ds: DemoDataset) -> None:
    text = (REPO_ROOT / "shop" / "DEMO.md").read_text(encoding="utf-8")
    for oid in ds.notes:
        assert f"`{oid}`" in text
    assert text == render_demo_md(generate()), "run `python -m shop demo-doc` to refresh shop/DEMO.md"


def test_catalogue_changes_flow_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_products(tmp_path / "missing.yaml") == FALLBACK
    cat = tmp_path / "products.yaml"
    entries = [{"sku": p.sku, "category": p.category, "price": float(p.price) + 1, "special": p.special,
                "high_ticket": p.high_ticket, "zh": {"name": p.name_zh}, "en": {"name": p.name_en}} for p in FALLBACK]
    entries[0]["sku"] = "SOFA-NEW-1"
    cat.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SHOP_PRODUCTS_FILE", str(cat))
    skus = {i["sku"] for i in generate(NOW).rows["items"]}
    assert "SOFA-NEW-1" in skus and skus <= {e["sku"] for e in entries}


def test_load_is_idempotent_and_prepare_is_quick(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    month_ago = datetime.now().replace(microsecond=0) - timedelta(days=30)
    load_demo(engine, now=month_ago)
    repo = ShopRepository(engine, clock=lambda: NOW)
    first = repo.counts()
    load_demo(engine, now=month_ago)
    assert repo.counts() == first
    prepare_demo(url)  # the marker is older than a week: reloads against today
    marker = loaded_demo(engine)
    assert marker is not None and marker["now"] > month_ago.isoformat()
    started = time.perf_counter()
    prepare_demo(url)
    assert time.perf_counter() - started < 1.0
    assert repo.counts() == first
    engine.dispose()


def test_repository_sees_the_edge_cases(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_demo(engine, now=NOW)
    repo = ShopRepository(engine, clock=lambda: NOW)
    orders = [o for c in ("C1001", "C1002", "C1003", "C1004", "C1005") for o in repo.orders_for_customer(c, limit=50)]
    assert any(o.shipment and is_parcel_stalled(o.shipment, NOW) for o in orders)
    assert any(is_refund_late(r, NOW) for o in orders for r in o.refunds)
    engine.dispose()
