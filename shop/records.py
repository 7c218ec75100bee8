"""Frozen records that leave the shop package (what actions/ and handoff/ receive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class CustomerRecord:
    id: str
    name: str
    phone: str
    vip_tier: str  # none | silver | gold | diamond
    lang: str  # zh | en
    created_at: datetime


@dataclass(frozen=True)
class OrderItemRecord:
    line: int
    sku: str
    name: str
    name_en: str
    category: str
    qty: int
    unit_price: Decimal
    special: str  # none | fresh | customised | intimate | digital

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.qty


@dataclass(frozen=True)
class TrackingEventRecord:
    seq: int
    at: datetime
    location: str
    description_zh: str
    description_en: str


@dataclass(frozen=True)
class ShipmentRecord:
    id: str
    courier: str
    tracking_no: str
    status: str
    promised_ship_by: date | None
    eta: date | None
    delay_cause: str
    alt_couriers: tuple[str, ...]
    requested_courier: str | None
    events: tuple[TrackingEventRecord, ...]  # oldest first

    @property
    def last_event(self) -> TrackingEventRecord | None:
        return self.events[-1] if self.events else None


@dataclass(frozen=True)
class RefundRecord:
    id: str
    order_id: str
    status: str  # requested | approved | processing | paid | rejected
    reason: str
    item_amount: Decimal
    shipping_amount: Decimal
    coupon_deduction: Decimal
    total: Decimal
    method: str  # bank_card | alipay | wechat | balance
    bank_name: str | None
    requested_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None
    expected_by: datetime | None


@dataclass(frozen=True)
class ReturnRequestRecord:
    id: str
    order_id: str
    kind: str  # return | exchange
    reason_category: str  # quality | personal
    note: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class InvoiceRecord:
    id: str
    order_id: str
    kind: str  # electronic | paper | vat_special
    title: str
    tax_id: str
    email: str
    status: str  # requested | issued | rejected
    requested_at: datetime
    issued_at: datetime | None


@dataclass(frozen=True)
class AddressRecord:
    province: str
    city: str
    detail: str


@dataclass(frozen=True)
class OrderRecord:
    id: str
    customer_id: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    items_total: Decimal
    shipping_fee: Decimal
    coupon_discount: Decimal
    amount_paid: Decimal
    payment_method: str | None  # bank_card | alipay | wechat | balance (None before payment)
    payment_bank: str | None
    has_shipping_insurance: bool
    is_presale: bool
    deposit_amount: Decimal | None
    deposit_paid_at: datetime | None
    balance_due_by: datetime | None
    balance_paid_at: datetime | None
    remark: str
    address: AddressRecord
    invoice_requested: bool
    invoice_issued: bool
    items: tuple[OrderItemRecord, ...]
    shipments: tuple[ShipmentRecord, ...]
    refunds: tuple[RefundRecord, ...]
    returns: tuple[ReturnRequestRecord, ...]
    invoices: tuple[InvoiceRecord, ...]

    @property
    def shipment(self) -> ShipmentRecord | None:
        """The latest shipment (orders normally have at most one)."""
        return self.shipments[-1] if self.shipments else None

    @property
    def special_goods(self) -> tuple[str, ...]:
        """Special-goods flags of the items other than 'none' (sorted, unique)."""
        return tuple(sorted({i.special for i in self.items if i.special != "none"}))

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({i.category for i in self.items}))


@dataclass(frozen=True)
class CancelResult:
    """Outcome of cancel_order; `outcome` says what happened.

    outcome: cancelled (now or by an earlier call: `already` tells), not_found, not_owner,
    already_shipped (too late: suggest refusing delivery / return), not_cancellable
    (e.g. refunded), presale_deposit (deposit paid, balance unpaid: a human decides).
    """

    outcome: str
    order_id: str
    status: str | None
    refund: RefundRecord | None = None
    already: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome == "cancelled"


@dataclass(frozen=True)
class ActionResult:
    """Outcome of a write (courier switch, return request, invoice, address change).

    ok is True when the change is recorded (now, or already earlier: `already`);
    otherwise `outcome` is a short machine code (not_found, already_shipped, courier_unavailable,
    not_delivered, bad_value, ...) and `message` explains it for logs and agents.
    """

    ok: bool
    outcome: str
    order_id: str
    ref_id: str | None = None
    already: bool = False
    message: str = ""
