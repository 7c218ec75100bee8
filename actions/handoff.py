"""action_handoff and the shared handoff step: report what the bot saw to the bridge, tell the customer.

The bridge owns the handoff decision (handoff.assess with conf/handoff.yaml). The bot only reports
facts in structured form — the customer asked for a person, complained, asked for more than the bot may
grant, a refund is overdue, the bot failed to answer — and the bridge decides, queues and, when an agent
claims the conversation, pauses the bot. The bot does not pause itself: while the customer waits for a
person it keeps answering standard questions.
"""

from __future__ import annotations

import logging
from typing import Literal

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services

log = logging.getLogger(__name__)

Fact = Literal["requested_human", "complaint", "beyond_authority", "late_refund", "bot_failed"]
FACT_BY_INTENT: dict[str, Fact] = {"ask_human": "requested_human", "complaint": "complaint"}


def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, fact: Fact, detail: str = "") -> list[EventType]:
    """Report the fact to the bridge (a down bridge is logged, not fatal) and tell the customer what happens."""
    intent = (tracker.latest_message or {}).get("intent", {}).get("name") or ""
    delivered = get_services().bridge.notify_handoff(tracker.sender_id, [fact], detail or _last_text(tracker), intent)
    if not delivered:
        log.warning("handoff fact %s for %s not delivered to the bridge", fact, tracker.sender_id)
    dispatcher.utter_message(response=f"utter_handoff_{fact}")
    events: list[EventType] = [SlotSet("handoff_reason", fact), SlotSet("kb_failures", 0.0)]
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events


def _last_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")[:500]


def fact_for_intent(intent: str) -> Fact:
    """The fact an intent that leads to action_handoff stands for (a request for a person by default)."""
    return FACT_BY_INTENT.get(intent, "requested_human")


class ActionHandoff(Action):
    """Hands the conversation to a human agent."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name") or ""
        return start_handoff(dispatcher, tracker, fact_for_intent(intent))
