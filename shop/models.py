"""SQLAlchemy 2.0 ORM tables of the shop: customers, orders, items, shipments, refunds, returns, invoices, audit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Allowed values; the importer and the repository validate against these tuples.
VIP_TIERS = ("none", "silver", "gold", "diamond")
LANGS = ("zh", "en")
ORDER_STATUSES = (
    "pending_payment",
    "paid",  # paid, not shipped yet
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "return_requested",
    "refunding",
    "refunded",
)
SPECIAL_GOODS = ("none", "fresh", "customised", "intimate", "digital")
SHIPMENT_STATUSES = ("awaiting_pickup", "in_transit", "out_for_delivery", "delivered", "exception", "returned")
DELAY_CAUSES = (
    "none",
    "weather",
    "epidemic",
    "large_event",
    "peak_season",
    "courier_unreachable",
    "warehouse_backlog",
)
REFUND_STATUSES = ("requested", "approved", "processing", "paid", "rejected")
REFUND_METHODS = ("bank_card", "alipay", "wechat", "balance")
RETURN_REASONS = ("quality", "personal")
RETURN_KINDS = ("return", "exchange")
RETURN_STATUSES = ("requested", "approved", "item_shipped", "item_received", "completed", "rejected")
INVOICE_KINDS = ("electronic", "paper", "vat_special")
INVOICE_STATUSES = ("requested", "issued", "rejected")

MONEY = Numeric(12, 2)


class Base(DeclarativeBase):
    """Declarative base of every shop table."""


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    vip_tier: Mapped[str] = mapped_column(String(10), default="none")
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(11), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    items_total: Mapped[Decimal] = mapped_column(MONEY)
    shipping_fee: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    coupon_discount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    payment_method: Mapped[str | None] = mapped_column(String(12), nullable=True)  # REFUND_METHODS
    payment_bank: Mapped[str | None] = mapped_column(String(40), nullable=True)
    has_shipping_insurance: Mapped[bool] = mapped_column(Boolean, default=False)
    is_presale: Mapped[bool] = mapped_column(Boolean, default=False)
    deposit_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    deposit_paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    balance_due_by: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    balance_paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    remark: Mapped[str] = mapped_column(Text, default="")
    address_province: Mapped[str] = mapped_column(String(40), default="")
    address_city: Mapped[str] = mapped_column(String(40), default="")
    address_detail: Mapped[str] = mapped_column(String(200), default="")
    invoice_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_issued: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(order_by="OrderItem.line", cascade="all, delete-orphan")
    shipments: Mapped[list[Shipment]] = relationship(order_by="Shipment.id", cascade="all, delete-orphan")
    refunds: Mapped[list[Refund]] = relationship(order_by="Refund.id", cascade="all, delete-orphan")
    returns: Mapped[list[ReturnRequest]] = relationship(order_by="ReturnRequest.id", cascade="all, delete-orphan")
    invoices: Mapped[list[Invoice]] = relationship(order_by="Invoice.id", cascade="all, delete-orphan")


class OrderItem(Base):
    __tablename__ = "order_items"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    special: Mapped[str] = mapped_column(String(12), default="none")


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    courier: Mapped[str] = mapped_column(String(40))
    tracking_no: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20))
    promised_ship_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    eta: Mapped[date | None] = mapped_column(Date, nullable=True)
    delay_cause: Mapped[str] = mapped_column(String(24), default="none")
    alt_couriers: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_courier: Mapped[str | None] = mapped_column(String(40), nullable=True)

    events: Mapped[list[TrackingEvent]] = relationship(order_by="TrackingEvent.seq", cascade="all, delete-orphan")


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    location: Mapped[str] = mapped_column(String(80), default="")
    description_zh: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(String(300), default="")


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200), default="")
    item_amount: Mapped[Decimal] = mapped_column(MONEY)
    shipping_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    coupon_deduction: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(12))
    bank_name: Mapped[str | None] = mapped_column(String(40), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expected_by: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ReturnRequest(Base):
    __tablename__ = "return_requests"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="return")
    reason_category: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    action: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(11), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ShopMeta(Base):
    """Key/value facts about the database, e.g. which demo dataset is loaded."""

    __tablename__ = "shop_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
