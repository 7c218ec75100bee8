"""Field-by-field description of the exchange tables (import, export, demo load) and value parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shop import models as m
from shoptext import CANONICAL_ORDER_ID


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # str | int | money | bool | datetime | date | list | enum
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # table whose id this field points to
    pattern: str | None = None  # full-match regular expression for text


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: type[m.Base]
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    column_names: dict[str, str] = field(default_factory=dict)  # exchange name -> model attribute

    def field_map(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}


def _s(name: str, required: bool = False, default: Any = "", ref: str | None = None) -> FieldSpec:
    return FieldSpec(name, "str", required, default, ref=ref)


def _e(name: str, choices: tuple[str, ...], required: bool = False, default: Any = None) -> FieldSpec:
    return FieldSpec(name, "enum", required, default, choices)


def _money(name: str, required: bool = False, default: Any = Decimal("0")) -> FieldSpec:
    return FieldSpec(name, "money", required, default)


def _dt(name: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, "datetime", required)


TABLES: dict[str, TableSpec] = {
    "customers": TableSpec("customers", m.Customer, ("id",), (
        _s("id", True), _s("name", True), _s("phone", True),
        _e("vip_tier", m.VIP_TIERS, default="none"), _e("lang", m.LANGS, default="zh"), _dt("created_at", True),
    )),
    "orders": TableSpec("orders", m.Order, ("id",), (
        FieldSpec("id", "str", True, pattern=CANONICAL_ORDER_ID), _s("customer_id", True, ref="customers"),
        _e("status", m.ORDER_STATUSES, True),
        _dt("created_at", True), _dt("paid_at"), _dt("shipped_at"), _dt("delivered_at"), _dt("cancelled_at"),
        _money("items_total", True), _money("shipping_fee"), _money("coupon_discount"), _money("amount_paid"),
        FieldSpec("payment_method", "enum", choices=m.REFUND_METHODS), FieldSpec("payment_bank", "str"),
        FieldSpec("has_shipping_insurance", "bool", default=False), FieldSpec("is_presale", "bool", default=False),
        FieldSpec("deposit_amount", "money"), _dt("deposit_paid_at"), _dt("balance_due_by"), _dt("balance_paid_at"),
        _s("remark"), _s("address_province"), _s("address_city"), _s("address_detail"),
        FieldSpec("invoice_requested", "bool", default=False), FieldSpec("invoice_issued", "bool", default=False),
    )),
    "items": TableSpec("items", m.OrderItem, ("order_id", "line"), (
        _s("order_id", True, ref="orders"), FieldSpec("line", "int", True), _s("sku", True), _s("name", True),
        _s("name_en"), _s("category", True), FieldSpec("qty", "int", True), _money("unit_price", True),
        _e("special", m.SPECIAL_GOODS, default="none"),
    )),
    "shipments": TableSpec("shipments", m.Shipment, ("id",), (
        _s("id", True), _s("order_id", True, ref="orders"), _s("courier", True), _s("tracking_no"),
        _e("status", m.SHIPMENT_STATUSES, True), FieldSpec("promised_ship_by", "date"), FieldSpec("eta", "date"),
        _e("delay_cause", m.DELAY_CAUSES, default="none"), FieldSpec("alt_couriers", "list", default=[]),
        FieldSpec("requested_courier", "str"),
    )),
    "events": TableSpec("events", m.TrackingEvent, ("shipment_id", "seq"), (
        _s("shipment_id", True, ref="shipments"), FieldSpec("seq", "int", True), _dt("at", True), _s("location"),
        _s("description_zh"), _s("description_en"),
    )),
    "refunds": TableSpec("refunds", m.Refund, ("id",), (
        _s("id", True), _s("order_id", True, ref="orders"), _e("status", m.REFUND_STATUSES, True), _s("reason"),
        _money("item_amount", True), _money("shipping_amount"), _money("coupon_deduction"), _money("total", True),
        _e("method", m.REFUND_METHODS, True), FieldSpec("bank_name", "str"),
        _dt("requested_at", True), _dt("approved_at"), _dt("paid_at"), _dt("expected_by"),
    )),
    "returns": TableSpec("returns", m.ReturnRequest, ("id",), (
        _s("id", True), _s("order_id", True, ref="orders"), _e("kind", m.RETURN_KINDS, default="return"),
        _e("reason_category", m.RETURN_REASONS, True), _s("note"), _e("status", m.RETURN_STATUSES, True),
        _dt("created_at", True),
    )),
    "invoices": TableSpec("invoices", m.Invoice, ("id",), (
        _s("id", True), _s("order_id", True, ref="orders"), _e("kind", m.INVOICE_KINDS, True), _s("title", True),
        _s("tax_id"), _s("email"), _e("status", m.INVOICE_STATUSES, True), _dt("requested_at", True), _dt("issued_at"),
    )),
}
LOAD_ORDER = ("customers", "orders", "items", "shipments", "events", "refunds", "returns", "invoices")

CENT = Decimal("0.01")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def is_missing(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _parse_text(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, (dict, list, bool)):
        raise ValueError("expected text")
    text = str(raw).strip()
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        raise ValueError(f"{text!r} does not match the pattern {spec.pattern}")
    return text


def _parse_enum(spec: FieldSpec, raw: Any) -> str:
    text = str(raw).strip()
    if text not in spec.choices:
        raise ValueError(f"{text!r} is not one of {', '.join(spec.choices)}")
    return text


def _parse_int(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValueError("expected a whole number")
    try:
        number = int(raw) if isinstance(raw, (int, float)) else int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _parse_money(spec: FieldSpec, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("expected an amount")
    try:
        amount = Decimal(str(raw).strip().lstrip("¥"))
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("amount must be a non-negative number")
    if amount != amount.quantize(CENT):
        raise ValueError("amount has more than 2 decimals")
    return amount.quantize(CENT)


def _parse_bool(spec: FieldSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{raw!r} is not true/false")


def _parse_datetime(spec: FieldSpec, raw: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not an ISO date-time (2026-11-11T09:30:00)") from None
    # Stored naive in shop-local time; an explicit offset is converted to this machine's local time.
    return moment if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)


def _parse_date(spec: FieldSpec, raw: Any) -> date:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not an ISO date (2026-11-11)") from None


def _parse_list_field(spec: FieldSpec, raw: Any) -> list[str]:
    return _parse_list(raw)


_PARSERS: dict[str, Callable[[FieldSpec, Any], Any]] = {
    "str": _parse_text, "enum": _parse_enum, "int": _parse_int, "money": _parse_money, "bool": _parse_bool,
    "datetime": _parse_datetime, "date": _parse_date, "list": _parse_list_field,
}


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """Convert a JSON value or CSV string to the field's Python type; raises ValueError with a short reason."""
    return _PARSERS[spec.kind](spec, raw)


def _parse_list(raw: Any) -> list[str]:
    if isinstance(raw, list):
        if not all(isinstance(x, str) for x in raw):
            raise ValueError("expected a list of text")
        return [x.strip() for x in raw if x.strip()]
    text = str(raw).strip()
    if text.startswith("["):
        try:
            return _parse_list(json.loads(text))
        except json.JSONDecodeError:
            raise ValueError("not a valid JSON list") from None
    return [x.strip() for x in text.split("|") if x.strip()]


def format_value(spec: FieldSpec, value: Any) -> Any:
    """Python value -> JSON-friendly export value (money as text with 2 decimals)."""
    if value is None:
        return None
    if spec.kind == "money":
        return f"{Decimal(value):.2f}"
    if spec.kind in ("datetime", "date"):
        return value.isoformat()
    if spec.kind == "list":
        return list(value)
    return value
