"""Shop data for the bridge: the customer's profile and orders, read through shop.ShopRepository."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypedDict


class CustomerInfo(TypedDict):
    id: str
    name: str
    phone: str
    vip_tier: str
    lang: str


class OrderInfo(TypedDict):
    id: str
    status: str
    amount: float
    category: str | None
    items: str
    address: str
    tracking: list[dict[str, Any]]
    refunds: list[dict[str, Any]]


class ShopApi(Protocol):
    def customer(self, customer_id: str) -> CustomerInfo | None: ...
    def orders(self, customer_id: str) -> list[OrderInfo]: ...


class ShopGateway:
    """Adapts ShopRepository's frozen records to the small views the bridge shows and scores."""

    def __init__(self, repository: Any) -> None:
        self.repo = repository

    def customer(self, customer_id: str) -> CustomerInfo | None:
        rec = self.repo.get_customer(customer_id)
        if rec is None:
            return None
        return CustomerInfo(id=rec.id, name=rec.name, phone=rec.phone, vip_tier=rec.vip_tier or "none",
                            lang=rec.lang)

    def orders(self, customer_id: str) -> list[OrderInfo]:
        return [_order_info(o) for o in self.repo.orders_for_customer(customer_id, limit=10)]


def _order_info(order: Any) -> OrderInfo:
    items = ", ".join(f"{i.name} x{i.qty}" for i in order.items)
    category = order.items[0].category if order.items else None
    tracking = []
    for s in order.shipments:
        last = s.last_event
        tracking.append({"courier": s.courier, "tracking_no": s.tracking_no, "status": s.status,
                         "eta": s.eta.isoformat() if s.eta else None, "delay_cause": s.delay_cause,
                         "last_event": (f"{last.at:%m-%d %H:%M} {last.location} {last.description_zh}"
                                        if last else "")})
    refunds = [{"id": r.id, "status": r.status, "total": float(r.total),
                "expected_by": r.expected_by.isoformat() if r.expected_by else None} for r in order.refunds]
    addr = order.address
    # Unpaid orders have amount_paid 0: their value is still the goods total.
    amount = max(float(order.amount_paid), float(order.items_total))
    return OrderInfo(id=order.id, status=order.status, amount=amount, category=category,
                     items=items, address=f"{addr.province}{addr.city}{addr.detail}", tracking=tracking,
                     refunds=refunds)


def open_shop(url: str) -> ShopApi | None:
    """The gateway for a shop database URL, or None when the shop package or DB is missing."""
    try:
        from sqlalchemy.engine import make_url

        from shop.db import make_engine
        from shop.repository import ShopRepository
    except ImportError:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        return None  # never create an empty shop database as a side effect
    return CachedShop(ShopGateway(ShopRepository(make_engine(url))))


class CachedShop:
    """Short-lived cache in front of a ShopApi: every customer message is assessed with the
    customer's profile and orders, and loading orders with items and tracking is the costly part."""

    def __init__(self, inner: ShopApi, ttl_seconds: float = 20.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.inner, self.ttl, self.clock = inner, ttl_seconds, clock
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _get(self, kind: str, customer_id: str, load: Callable[[str], Any]) -> Any:
        now = self.clock()
        with self._lock:
            hit = self._cache.get((kind, customer_id))
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        value = load(customer_id)
        with self._lock:
            if len(self._cache) > 5000:
                self._cache.clear()
            self._cache[(kind, customer_id)] = (now, value)
        return value

    def customer(self, customer_id: str) -> CustomerInfo | None:
        return self._get("customer", customer_id, self.inner.customer)  # type: ignore[no-any-return]

    def orders(self, customer_id: str) -> list[OrderInfo]:
        return self._get("orders", customer_id, self.inner.orders)  # type: ignore[no-any-return]
