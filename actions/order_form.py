"""The order form: finds which order the customer means (pre-selects, lists, or verifies by phone digits)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import customer_id_of, lang_of, order_buttons, pick
from actions.config import get_settings
from actions.order_choice import orders_to_offer
from actions.policies import normalise_order_id
from shop.records import OrderRecord

# Intents that may answer "which order?" with a product name instead of a number.
ANSWER_INTENTS = frozenset({"inform_order_id", "nlu_fallback", "affirm"})

# What the customer asked about, so "which order?" also confirms the question was understood.
TOPIC_PHRASE = {
    "status": ("要查询的", "do you want to check"), "track": ("要查物流的", "do you want to track"),
    "cancel": ("要取消的", "do you want to cancel"), "address": ("要改地址的", "needs a new address"),
    "return": ("要退货的", "do you want to return"), "exchange": ("要换货的", "do you want to exchange"),
    "refund": ("要查退款的", "is the refund for"), "invoice": ("要开发票的", "is the invoice for"),
}


def which_order_question(topic: str | None, lang: str) -> str:
    """'您有多个订单，请问要开发票的是哪一个？' — the question names the topic when known."""
    zh, en = TOPIC_PHRASE.get(topic or "", ("", "do you mean"))
    return pick(lang, f"您有多个订单，请问{zh}是哪一个？", f"You have several orders. Which one {en}?")


def offered_orders(tracker: Tracker, customer: str) -> list[OrderRecord]:
    """The customer's orders this message may be about (named product first, then the topic)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    products = [str(p) for p in tracker.get_latest_entity_values("product")]
    orders = get_services().shop.orders_for_customer(customer)
    return orders_to_offer(orders, tracker.get_slot("order_topic"), text, products)


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
        """Pre-select the order when exactly one names the product mentioned, or fits the topic.

        Once the form has asked, only an answer-like message may name the order ("跑步鞋那个");
        any other question is a change of topic, left to the detour rules.
        """
        if tracker.get_slot("order_id") or next(tracker.get_latest_entity_values("order_id"), None):
            return {}
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == "order_id" and intent not in ANSWER_INTENTS:
            return {}
        customer = customer_id_of(tracker)
        if not customer:
            return {}
        fitting = offered_orders(tracker, customer)
        return {"order_id": fitting[0].id} if len(fitting) == 1 else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lang = lang_of(tracker)
        order_id = normalise_order_id(value if not isinstance(value, list) else (value[0] if value else None))
        if order_id is None:
            dispatcher.utter_message(text=pick(lang, "订单号的格式是 E 加 10 位数字，例如 E2026110001。",
                                               "An order number is E followed by 10 digits, e.g. E2026110001."))
            return {"order_id": None}
        customer = customer_id_of(tracker)
        if customer is None:
            return {"order_id": order_id}  # ownership is checked with the phone digits next
        if get_services().shop.order_for_customer(order_id, customer) is None:
            dispatcher.utter_message(text=pick(
                lang,
                f"抱歉亲，订单 {order_id} 不在您的账号下，为了保护买家隐私我无法查看。请确认订单号，或从下面选择您的订单。",
                f"Sorry, order {order_id} isn't on your account, so I can't look at it (privacy). "
                "Please check the number or pick one of your orders below."))
            return {"order_id": None}
        return {"order_id": order_id, "last_order_id": order_id}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lang = lang_of(tracker)
        order_id = normalise_order_id(tracker.get_slot("order_id"))
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())[-4:]
        if order_id and get_services().shop.verify_phone_last4(order_id, digits):
            verified = list(tracker.get_slot("verified_orders") or [])
            return {"phone_last4": digits, "verified_orders": sorted(set(verified + [order_id])), "last_order_id": order_id}
        dispatcher.utter_message(text=pick(lang, "抱歉，订单号和手机号后四位对不上，无法核实。请重新提供订单号。",
                                           "Sorry, the order number and phone digits don't match. Please give the order number again."))
        return {"phone_last4": None, "order_id": None}


class ActionAskOrderId(Action):
    """Asks which order: buttons with the customer's fitting orders, or a request for the number."""

    def name(self) -> str:
        return "action_ask_order_id"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        customer = customer_id_of(tracker)
        if customer is None:
            dispatcher.utter_message(text=pick(
                lang, "请提供您的订单号（E 开头的 11 位），我再请您核对下单手机号后四位。",
                "Please give me your order number (E followed by 10 digits); I'll then check the last four digits of your phone."))
            return []
        fitting = offered_orders(tracker, customer)[: get_settings().max_order_buttons]
        if not fitting:
            dispatcher.utter_message(text=pick(
                lang, "您的账号下没有查到订单。如果是用其他账号下的单，请提供订单号。",
                "I can't find any orders on your account. If you ordered with another account, please give the order number."))
            return []
        dispatcher.utter_message(
            text=which_order_question(tracker.get_slot("order_topic"), lang),
            buttons=order_buttons(fitting, lang),
        )
        return []


class ActionAskPhoneLast4(Action):
    """Asks for the last four phone digits that verify an order without a known customer."""

    def name(self) -> str:
        return "action_ask_phone_last4"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=pick(
            lang_of(tracker), "为了保护您的隐私，请提供下单手机号的后四位，我来核实一下。",
            "To protect your privacy, please tell me the last four digits of the phone number on the order."))
        return []
