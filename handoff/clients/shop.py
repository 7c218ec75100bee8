"""Shop data for the bridge: the customer's profile and orders, read through shop.ShopRepository."""

from __future__ import annotations

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
    return OrderInfo(id=order.id, status=order.status, amount=float(order.amount_paid), category=category,
                     items=items, address=f"{addr.province}{addr.city}{addr.detail}", tracking=tracking,
                     refunds=refunds)


def open_shop(url: str) -> ShopGateway | None:
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
    return ShopGateway(ShopRepository(make_engine(url)))
