"""The order form: finds which order the customer means (the current one on a follow-up, pre-selects,
lists, or verifies by phone digits)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import customer_id_of, lang_of, order_buttons
from actions.config import get_settings
from actions.dialogue_state import reuse_current_order
from actions.order_choice import names_product, orders_to_offer
from actions.policies import normalise_order_id
from actions.wording import say
from shop.records import OrderRecord

# Intents that may answer "which order?" with a product name instead of a number.
ANSWER_INTENTS = frozenset({"inform_order_id", "nlu_fallback", "affirm"})

TOPICS = frozenset({"status", "track", "cancel", "address", "return", "exchange", "refund", "invoice"})


def which_order_response(topic: str | None) -> str:
    """'您有多个订单，请问要开发票的是哪一个？' — the question names the topic when known."""
    return f"utter_which_order_{topic}" if topic in TOPICS else "utter_which_order"


def _message(tracker: Tracker) -> tuple[str, list[str]]:
    text = str((tracker.latest_message or {}).get("text") or "")
    return text, [str(p) for p in tracker.get_latest_entity_values("product")]


def offered_orders(tracker: Tracker, customer: str) -> list[OrderRecord]:
    """The customer's orders this message may be about (named product first, then the topic)."""
    text, products = _message(tracker)
    orders = get_services().shop.orders_for_customer(customer)
    return orders_to_offer(orders, tracker.get_slot("order_topic"), text, products)


def followed_up_order(tracker: Tracker, customer: str | None) -> str | None:
    """The order the conversation is already about, when this new order question follows up on it."""
    last = normalise_order_id(tracker.get_slot("last_order_id"))
    if last is None:
        return None
    shop = get_services().shop
    topic = tracker.get_slot("order_topic")
    text, products = _message(tracker)
    if customer is None:
        verified = tracker.get_slot("verified_orders") or []
        order = shop.get_order(last) if last in verified else None
        return last if reuse_current_order(order, topic, False) else None
    orders = shop.orders_for_customer(customer)
    current = next((o for o in orders if o.id == last), None)
    names_another = any(names_product(o, text, products) for o in orders if o.id != last)
    return last if reuse_current_order(current, topic, names_another) else None


class ValidateOrderForm(FormValidationAction):
    """Validates order_id (ownership) and, without a known customer, phone_last4."""

    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return ["order_id"] if customer_id_of(tracker) else ["order_id", "phone_last4"]

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Pre-select the order: the one the conversation is about when this question follows up on it
        ("怎么这么慢", "那退款呢"), else the only one naming the product mentioned or fitting the topic.

        Once the form has asked, only an answer-like message may name the order ("跑步鞋那个");
        any other question is a change of topic, left to the detour rules.
        """
        if tracker.get_slot("order_id") or next(tracker.get_latest_entity_values("order_id"), None):
            return {}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot") == "order_id"
        if asked and intent not in ANSWER_INTENTS:
            return {}
        customer = customer_id_of(tracker)
        if not asked:
            current = followed_up_order(tracker, customer)
            if current:
                return {"order_id": current}
        if not customer:
            return {}
        fitting = offered_orders(tracker, customer)
        return {"order_id": fitting[0].id} if len(fitting) == 1 else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id = normalise_order_id(value if not isinstance(value, list) else (value[0] if value else None))
        if order_id is None:
            say(dispatcher, "utter_order_id_format")
            return {"order_id": None}
        customer = customer_id_of(tracker)
        if customer is None:
            return {"order_id": order_id}  # ownership is checked with the phone digits next
        if get_services().shop.order_for_customer(order_id, customer) is None:
            say(dispatcher, "utter_order_not_yours", order_id=order_id)
            return {"order_id": None}
        return {"order_id": order_id, "last_order_id": order_id}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id = normalise_order_id(tracker.get_slot("order_id"))
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())[-4:]
        if order_id and get_services().shop.verify_phone_last4(order_id, digits):
            verified = list(tracker.get_slot("verified_orders") or [])
            return {"phone_last4": digits, "verified_orders": sorted(set(verified + [order_id])), "last_order_id": order_id}
        say(dispatcher, "utter_phone_mismatch")
        return {"phone_last4": None, "order_id": None}


class ActionAskOrderId(Action):
    """Asks which order: buttons with the customer's fitting orders, or a request for the number."""

    def name(self) -> str:
        return "action_ask_order_id"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        customer = customer_id_of(tracker)
        if customer is None:
            say(dispatcher, "utter_ask_order_number")
            return []
        fitting = offered_orders(tracker, customer)[: get_settings().max_order_buttons]
        if not fitting:
            say(dispatcher, "utter_no_orders")
            return []
        say(dispatcher, which_order_response(tracker.get_slot("order_topic")),
            buttons=order_buttons(fitting, lang_of(tracker)))
        return [SlotSet("offered_orders", [o.id for o in fitting])]


class ActionAskPhoneLast4(Action):
    """Asks for the last four phone digits that verify an order without a known customer."""

    def name(self) -> str:
        return "action_ask_phone_last4"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, "utter_ask_phone_last4")
        return []
