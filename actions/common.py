"""Helpers shared by the action families: language, identity, order access and formatting of facts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker

from actions.policies import normalise_order_id
from actions.wording import label
from shop import ShopRepository
from shop.records import OrderItemRecord, OrderRecord


def lang_of(tracker: Tracker) -> str:
    """The customer's language from slot `lang` (zh unless en)."""
    return "en" if tracker.get_slot("lang") == "en" else "zh"


def customer_id_of(tracker: Tracker) -> str | None:
    """Identity from the channel: slot customer_id, else the latest message's metadata."""
    slot = tracker.get_slot("customer_id")
    if slot:
        return str(slot)
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    value = metadata.get("customer_id") if isinstance(metadata, dict) else None
    return str(value) if value else None


def requested_order_id(tracker: Tracker) -> str | None:
    """Order number from the form slot, else from this message's entity."""
    slot = normalise_order_id(tracker.get_slot("order_id"))
    if slot:
        return slot
    return normalise_order_id(next(tracker.get_latest_entity_values("order_id"), None))


def accessible_order(shop: ShopRepository, tracker: Tracker, order_id: str | None) -> OrderRecord | None:
    """The order if this conversation may see it: owned by the customer, or verified by phone digits."""
    if not order_id:
        return None
    customer = customer_id_of(tracker)
    if customer:
        return shop.order_for_customer(order_id, customer)
    verified = tracker.get_slot("verified_orders") or []
    return shop.get_order(order_id) if order_id in verified else None


def current_order(shop: ShopRepository, tracker: Tracker) -> OrderRecord | None:
    """The order the conversation is about: the requested one, else the last one discussed."""
    return accessible_order(shop, tracker, requested_order_id(tracker) or normalise_order_id(tracker.get_slot("last_order_id")))


def money(value: Decimal | float | int) -> str:
    return f"¥{Decimal(value):,.2f}"


def day(value: date | datetime | None, lang: str) -> str:
    if value is None:
        return label("format", "unknown_date", lang)
    d = value.date() if isinstance(value, datetime) else value
    return f"{d.month}月{d.day}日" if lang == "zh" else d.strftime("%b %d").replace(" 0", " ")


def when(value: datetime, lang: str) -> str:
    return f"{day(value, lang)} {value:%H:%M}"


def item_name(item: OrderItemRecord, lang: str) -> str:
    return item.name_en if lang == "en" and item.name_en else item.name


def order_title(order: OrderRecord, lang: str) -> str:
    """'E2026110001 白色连衣裙 等2件' — short label for lists and buttons."""
    names = [item_name(i, lang) for i in order.items]
    first = names[0] if names else ""
    more = len(names) - 1
    if more > 0:
        first += label("format", "more_items", lang, count=len(names), more=more)
    return f"{order.id} {first}".strip()


def status_text(status: str, lang: str) -> str:
    return label("status", status, lang)


def join(names: list[str], lang: str) -> str:
    """'EMS、SF' / 'EMS, SF'."""
    return label("format", "list_separator", lang).join(names)


def order_buttons(orders: list[OrderRecord], lang: str) -> list[dict[str, Any]]:
    payload = '/inform_order_id{{"order_id":"{}"}}'
    return [{"title": order_title(o, lang), "payload": payload.format(o.id)} for o in orders]
