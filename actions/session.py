"""action_session_start: carries slots over and takes the customer id from the channel metadata."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services

# Slots a new session starts without (they describe the previous conversation only).
_RESET = {"requested_slot", "awaiting", "order_topic", "offered_orders", "kb_failures", "handoff_reason"}


def metadata_customer_id(tracker: Tracker) -> str | None:
    meta = tracker.get_slot("session_started_metadata") or {}
    if not meta:
        meta = (tracker.latest_message or {}).get("metadata") or {}
    value = meta.get("customer_id") if isinstance(meta, dict) else None
    return str(value) if value else None


class ActionSessionStart(Action):
    """Starts a session; the customer id from metadata becomes slot customer_id (the bridge is trusted)."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        for key, value in tracker.current_slot_values().items():
            if key in _RESET or key == "session_started_metadata" or value is None:
                continue
            events.append(SlotSet(key, value))
        customer_id = metadata_customer_id(tracker)
        if customer_id:
            events.append(SlotSet("customer_id", customer_id))
            if tracker.get_slot("lang") is None:
                events.extend(_customer_language(customer_id))
        events.append(ActionExecuted("action_listen"))
        return events


def _customer_language(customer_id: str) -> list[dict[str, Any]]:
    """The customer's recorded language until their own messages say otherwise."""
    try:
        customer = get_services().shop.get_customer(customer_id)
    except Exception:  # noqa: BLE001 - the shop being down must not break session start
        return []
    return [SlotSet("lang", customer.lang)] if customer and customer.lang in ("zh", "en") else []
