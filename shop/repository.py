"""ShopRepository: the one data-access object that actions/ and handoff/ use (reads and guarded writes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from shop import models as m
from shop import rules
from shop.convert import customer_record, invoice_record, order_record, refund_record
from shop.db import session_factory
from shop.records import (
    ActionResult,
    AddressRecord,
    CancelResult,
    CustomerRecord,
    InvoiceRecord,
    OrderRecord,
    RefundRecord,
)
from shop.writes import (
    apply_address_change,
    apply_cancel,
    apply_courier_switch,
    apply_invoice_request,
    apply_return_request,
)

_ORDER_LOAD = (
    selectinload(m.Order.items),
    selectinload(m.Order.shipments).selectinload(m.Shipment.events),
    selectinload(m.Order.refunds),
    selectinload(m.Order.returns),
    selectinload(m.Order.invoices),
)


class ShopRepository:
    """Reads return frozen records; writes are idempotent and leave an audit entry.

    Args:
        engine_or_sessionmaker: where the shop tables live.
        clock: returns "now" (naive shop-local time); injected so tests can fix it.
    """

    def __init__(
        self,
        engine_or_sessionmaker: Engine | sessionmaker[Session],
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._sessions = session_factory(engine_or_sessionmaker)
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    # ---- reads -------------------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> CustomerRecord | None:
        with self._sessions() as s:
            c = s.get(m.Customer, customer_id)
            return customer_record(c) if c else None

    def orders_for_customer(self, customer_id: str, limit: int = 10) -> list[OrderRecord]:
        """The customer's orders, newest first."""
        stmt = (
            select(m.Order)
            .where(m.Order.customer_id == customer_id)
            .order_by(m.Order.created_at.desc(), m.Order.id.desc())
            .limit(limit)
            .options(*_ORDER_LOAD)
        )
        with self._sessions() as s:
            return [order_record(o) for o in s.scalars(stmt)]

    def latest_order(self, customer_id: str) -> OrderRecord | None:
        orders = self.orders_for_customer(customer_id, limit=1)
        return orders[0] if orders else None

    def get_order(self, order_id: str) -> OrderRecord | None:
        with self._sessions() as s:
            o = s.scalars(select(m.Order).where(m.Order.id == order_id).options(*_ORDER_LOAD)).first()
            return order_record(o) if o else None

    def order_for_customer(self, order_id: str, customer_id: str) -> OrderRecord | None:
        """The order only if it belongs to `customer_id` (None otherwise: never reveal others' orders)."""
        order = self.get_order(order_id)
        if order is None or order.customer_id != customer_id:
            return None
        return order

    def verify_phone_last4(self, order_id: str, last4: str) -> bool:
        """True when the last four digits of the order owner's phone are `last4`."""
        last4 = (last4 or "").strip()
        if len(last4) != 4 or not last4.isdigit():
            return False
        with self._sessions() as s:
            o = s.get(m.Order, order_id)
            if o is None:
                return False
            return o.customer.phone.strip()[-4:] == last4

    def open_refunds(self, customer_id: str) -> list[RefundRecord]:
        """Refunds of the customer that are neither paid nor rejected, oldest first."""
        stmt = (
            select(m.Refund)
            .join(m.Order, m.Refund.order_id == m.Order.id)
            .where(m.Order.customer_id == customer_id, m.Refund.status.in_(rules.OPEN_REFUND_STATUSES))
            .order_by(m.Refund.requested_at)
        )
        with self._sessions() as s:
            return [refund_record(r) for r in s.scalars(stmt)]

    def late_refunds(self, customer_id: str) -> list[RefundRecord]:
        """Open refunds of the customer whose expected arrival time has passed."""
        now = self.now()
        return [r for r in self.open_refunds(customer_id) if rules.is_refund_late(r, now)]

    def audit_log(self, order_id: str) -> list[dict[str, Any]]:
        """Audit entries of an order, oldest first, as plain dicts."""
        stmt = select(m.AuditEntry).where(m.AuditEntry.order_id == order_id).order_by(m.AuditEntry.id)
        with self._sessions() as s:
            return [
                {"at": a.at, "action": a.action, "customer_id": a.customer_id, "detail": dict(a.detail or {})}
                for a in s.scalars(stmt)
            ]

    def counts(self) -> dict[str, int]:
        """Row count per table (health checks, CLI)."""
        from sqlalchemy import func

        tables = {t.__tablename__: t for t in (m.Customer, m.Order, m.OrderItem, m.Shipment, m.TrackingEvent, m.Refund)}
        with self._sessions() as s:
            return {name: int(s.scalar(select(func.count()).select_from(t)) or 0) for name, t in tables.items()}

    # ---- writes ------------------------------------------------------------------------------

    def cancel_order(self, order_id: str, customer_id: str, reason: str = "") -> CancelResult:
        """Cancel an unshipped order of `customer_id` and open its refund; a repeat returns the same result."""
        return self._retrying(lambda s: apply_cancel(s, order_id, customer_id, reason, self.now()))

    def request_courier_switch(self, order_id: str, courier: str, customer_id: str | None = None) -> ActionResult:
        """Record the customer's wish to switch to one of the couriers that can reach the address."""
        return self._retrying(lambda s: apply_courier_switch(s, order_id, courier, customer_id, self.now()))

    def create_return_request(
        self,
        order_id: str,
        reason_category: str,
        note: str = "",
        kind: str = "return",
        customer_id: str | None = None,
    ) -> ActionResult:
        """Open a return (or exchange) request for a delivered order; one open request per order and kind."""
        return self._retrying(
            lambda s: apply_return_request(s, order_id, reason_category, note, kind, customer_id, self.now())
        )

    def request_invoice(
        self,
        order_id: str,
        kind: str,
        title: str,
        tax_id: str = "",
        email: str = "",
        customer_id: str | None = None,
    ) -> ActionResult:
        """Ask for an invoice; a second request while one is requested/issued returns the first."""
        return self._retrying(
            lambda s: apply_invoice_request(s, order_id, kind, title, tax_id, email, customer_id, self.now())
        )

    def change_address(
        self,
        order_id: str,
        new_address: AddressRecord | Mapping[str, str],
        customer_id: str | None = None,
    ) -> ActionResult:
        """Change the delivery address; only before shipment."""
        if isinstance(new_address, Mapping):
            new_address = AddressRecord(
                province=str(new_address.get("province", "")),
                city=str(new_address.get("city", "")),
                detail=str(new_address.get("detail", "")),
            )
        address = new_address
        return self._retrying(lambda s: apply_address_change(s, order_id, address, customer_id, self.now()))

    def invoices(self, order_id: str) -> list[InvoiceRecord]:
        with self._sessions() as s:
            o = s.get(m.Order, order_id)
            return [invoice_record(i) for i in o.invoices] if o else []

    def _retrying(self, work: Callable[[Session], Any]) -> Any:
        """Run `work` in a transaction; a unique-key clash (concurrent duplicate) re-runs it once."""
        for attempt in range(2):
            try:
                with self._sessions() as s, s.begin():
                    return work(s)
            except IntegrityError:
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")
