"""Validate the JSON conversation payload and turn it into records; errors name the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from .records import FACTS, ROLES, Customer, Message, Order, Role

MAX_MESSAGES = 500
MAX_TEXT = 5000


class PayloadError(ValueError):
    """The payload is invalid; `field` says where (e.g. "messages[2].role")."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Conversation:
    """A validated payload."""

    messages: tuple[Message, ...]
    customer: Customer | None
    orders: tuple[Order, ...]


def _optional_str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(field, "must be a string")
    return str(value)


def _message(raw: Any, field: str) -> Message:
    if not isinstance(raw, dict):
        raise PayloadError(field, "must be an object")
    role = raw.get("role")
    if role not in ROLES:
        raise PayloadError(f"{field}.role", f"must be one of {', '.join(ROLES)}")
    text = raw.get("text")
    if not isinstance(text, str):
        raise PayloadError(f"{field}.text", "must be a string")
    if len(text) > MAX_TEXT:
        raise PayloadError(f"{field}.text", f"longer than {MAX_TEXT} characters")
    fallback = raw.get("fallback", False)
    if not isinstance(fallback, bool):
        raise PayloadError(f"{field}.fallback", "must be true or false")
    facts = raw.get("facts", [])
    if not isinstance(facts, list) or any(f not in FACTS for f in facts):
        raise PayloadError(f"{field}.facts", f"must be a list of {', '.join(FACTS)}")
    return Message(role=cast(Role, role), text=text, fallback=fallback, facts=tuple(facts))


def _order(raw: Any, field: str) -> Order:
    if not isinstance(raw, dict):
        raise PayloadError(field, "must be an object")
    amount = raw.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        raise PayloadError(f"{field}.amount", "must be a non-negative number")
    return Order(
        id=_optional_str(raw.get("id"), f"{field}.id") or f"#{field}",
        amount=float(amount),
        status=_optional_str(raw.get("status"), f"{field}.status"),
        category=_optional_str(raw.get("category"), f"{field}.category"),
    )


def parse_conversation(data: Any) -> Conversation:
    """Check the payload `{"messages": [...], "customer": {...}?, "orders": [...]?}`."""
    if not isinstance(data, dict):
        raise PayloadError("<body>", "must be a JSON object")
    raw_messages = data.get("messages")
    if not isinstance(raw_messages, list):
        raise PayloadError("messages", "must be a list")
    if len(raw_messages) > MAX_MESSAGES:
        raise PayloadError("messages", f"more than {MAX_MESSAGES} messages")
    messages = tuple(_message(m, f"messages[{i}]") for i, m in enumerate(raw_messages))
    raw_customer = data.get("customer")
    customer = None
    if raw_customer is not None:
        if not isinstance(raw_customer, dict):
            raise PayloadError("customer", "must be an object")
        customer = Customer(
            id=_optional_str(raw_customer.get("id"), "customer.id"),
            vip_tier=_optional_str(raw_customer.get("vip_tier"), "customer.vip_tier"),
        )
    raw_orders = data.get("orders", [])
    if raw_orders is None:
        raw_orders = []
    if not isinstance(raw_orders, list):
        raise PayloadError("orders", "must be a list")
    orders = tuple(_order(o, f"orders[{i}]") for i, o in enumerate(raw_orders))
    return Conversation(messages, customer, orders)
