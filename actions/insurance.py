"""Shipping insurance: asks why the customer returns before saying who pays the return postage."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import current_order, lang_of, money
from actions.policies import (
    INSURANCE_CAP_BULKY,
    INSURANCE_CAP_ORDINARY,
    INSURANCE_PAYOUT_HOURS,
    INSURANCE_PAYOUT_MIN,
    insurance_reply,
    who_pays_return_postage,
)
from actions.topic import settle_question
from actions.wording import label, say
from shop.records import OrderRecord


def say_postage(dispatcher: CollectingDispatcher, reason: str, order: OrderRecord | None) -> None:
    """Who pays the return postage, given the reason (and the order's insurance and category when known)."""
    has_insurance = bool(order and order.has_shipping_insurance)
    category = order.items[0].category if order and order.items else ""
    decision = who_pays_return_postage(reason, has_insurance, category)
    facts: dict[str, Any] = {"payer": decision.payer, "reason": reason}
    if decision.payer == "shop":
        say(dispatcher, "utter_postage_quality", **facts)
        if decision.may_decline_insurance:
            say(dispatcher, "utter_postage_may_decline_insurance")
        say(dispatcher, "utter_postage_process")
    elif decision.payer == "customer_minus_insurance":
        say(dispatcher, "utter_postage_personal_insured", cap=money(decision.insurance_cap or 0),
            hours=INSURANCE_PAYOUT_HOURS, **facts)
        say(dispatcher, "utter_postage_process")
    elif order is None:
        say(dispatcher, "utter_postage_personal_any", cap=money(INSURANCE_CAP_ORDINARY),
            bulky_cap=money(INSURANCE_CAP_BULKY), **facts)
    else:
        say(dispatcher, "utter_postage_personal_uninsured", **facts)


def say_general(dispatcher: CollectingDispatcher) -> None:
    """How shipping insurance works, for any order: payout range, cap, timing; who pays depends on the reason."""
    say(dispatcher, "utter_insurance_general", low=money(INSURANCE_PAYOUT_MIN), cap=money(INSURANCE_CAP_ORDINARY),
        bulky_cap=money(INSURANCE_CAP_BULKY), hours=INSURANCE_PAYOUT_HOURS)


def ask_return_reason(dispatcher: CollectingDispatcher, lang: str) -> None:
    """Ask why the customer returns (before any word on who pays postage)."""
    payload = '/inform_return_reason{{"return_reason":"{}"}}'
    say(dispatcher, "utter_ask_return_reason",
        buttons=[{"title": label("reason", r, lang), "payload": payload.format(r)} for r in ("quality", "personal")])


class ActionShippingInsurance(Action):
    """General insurance questions get the general facts; who pays is said only once the reason is known."""

    def name(self) -> str:
        return "action_shipping_insurance"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        latest = tracker.latest_message or {}
        in_message = next(tracker.get_latest_entity_values("return_reason"), None)
        known = in_message or tracker.get_slot("return_reason")
        reply = insurance_reply((latest.get("intent") or {}).get("name"), in_message, known, str(latest.get("text") or ""))
        if reply == "general":
            say_general(dispatcher)
            return settle_question(tracker, [])
        if reply == "ask_reason":
            ask_return_reason(dispatcher, lang_of(tracker))
            return settle_question(tracker, [])
        reason = str(known)
        say_postage(dispatcher, reason, current_order(get_services().shop, tracker))
        return settle_question(tracker, [SlotSet("return_reason", reason)])
