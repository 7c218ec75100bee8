"""Load the demo dataset into a database (idempotent); prepare_demo() is what the set-up script calls."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from shop import models as m
from shop.catalogue import load_products
from shop.db import create_schema, drop_schema, make_engine
from shop.demo import GENERATOR_VERSION, DemoDataset, generate
from shop.store import load_rows

META_KEY = "demo"
RELOAD_AFTER = timedelta(days=7)  # relative scenarios (ETAs, "delivered yesterday") drift after that


def _catalogue_hash() -> str:
    products = load_products()
    text = json.dumps([[p.sku, str(p.price), p.category, p.special, p.name_zh] for p in products], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def loaded_demo(engine: Engine) -> dict[str, str] | None:
    """The stored demo marker ({version, catalogue, now}) or None."""
    create_schema(engine)
    with Session(engine) as s:
        row = s.get(m.ShopMeta, META_KEY)
        return json.loads(row.value) if row else None


def _delete_demo_children(s: Session, order_ids: list[str]) -> None:
    """Rows hanging off demo orders are replaced wholesale, so stale events or refunds do not linger."""
    shipments = select(m.Shipment.id).where(m.Shipment.order_id.in_(order_ids))
    s.execute(delete(m.TrackingEvent).where(m.TrackingEvent.shipment_id.in_(shipments)))
    for model in (m.Shipment, m.OrderItem, m.Refund, m.ReturnRequest, m.Invoice):
        s.execute(delete(model).where(model.order_id.in_(order_ids)))
    s.execute(delete(m.AuditEntry).where(m.AuditEntry.order_id.in_(order_ids)))
    s.flush()


def load_demo(engine: Engine, now: datetime | None = None, reset: bool = False) -> DemoDataset:
    """Generate and upsert the demo dataset (reset: drop and recreate every table first)."""
    if reset:
        drop_schema(engine)
    create_schema(engine)
    ds = generate(now)
    marker = {"version": GENERATOR_VERSION, "catalogue": _catalogue_hash(), "now": ds.now.isoformat()}
    with Session(engine) as s, s.begin():
        if not reset:
            _delete_demo_children(s, [o["id"] for o in ds.rows["orders"]])
        load_rows(s, ds.rows)
        s.merge(m.ShopMeta(key=META_KEY, value=json.dumps(marker)))
    return ds


def needs_load(marker: dict[str, str] | None, now: datetime) -> bool:
    """True when no demo is loaded, it came from another generator/catalogue, or it is over a week old."""
    if marker is None:
        return True
    if marker.get("version") != GENERATOR_VERSION or marker.get("catalogue") != _catalogue_hash():
        return True
    try:
        loaded_at = datetime.fromisoformat(marker["now"])
    except (KeyError, ValueError):
        return True
    return now - loaded_at > RELOAD_AFTER


def prepare_demo(db_url: str | None = None) -> None:
    """Create the tables and load the demo shop unless an up-to-date demo is already there."""
    engine = make_engine(db_url)
    try:
        if needs_load(loaded_demo(engine), datetime.now()):
            load_demo(engine)
    finally:
        engine.dispose()
