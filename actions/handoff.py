"""action_handoff and the shared handoff step: notify the bridge, tell the customer, pause the bot."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import lang_of, pick
from actions.policies import asks_for_compensation

log = logging.getLogger(__name__)

REASON_BY_INTENT = {"ask_human": "explicit_human", "complaint": "complaint_threat"}

_CONNECTING = {
    "explicit_human": ("好的亲，正在为您转接人工客服，请稍等，客服会尽快回复您。",
                       "Sure, I'm connecting you to a human agent now. Please hold on, they'll reply shortly."),
    "complaint_threat": ("非常抱歉给您带来不好的体验，您的心情我完全理解。我马上为您转接专属人工客服来处理，请稍等。",
                         "I'm really sorry about this experience, and I understand how frustrating it is. "
                         "I'm connecting you to a human agent right away to sort it out."),
    "needs_judgement": ("这个需要人工客服为您判断处理，我已经把情况转给客服同事，请稍等，他们会尽快回复您。",
                        "This needs a decision by a human agent. I've passed on the details; please hold on, they'll reply shortly."),
    "bot_failure": ("抱歉亲，我没能理解您的问题。正在为您转接人工客服，请稍等。",
                    "Sorry, I couldn't understand your question. I'm connecting you to a human agent now."),
    "late_refund": ("我已经把这笔超时的退款转给人工客服加急跟进，请稍等，客服会尽快联系您。",
                    "I've passed this overdue refund to a human agent to chase it urgently; they'll get back to you shortly."),
}


def start_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, detail: str = ""
) -> list[EventType]:
    """Post the handoff notice (a down bridge is logged, not fatal), tell the customer, pause."""
    intent = (tracker.latest_message or {}).get("intent", {}).get("name") or ""
    delivered = get_services().bridge.notify_handoff(tracker.sender_id, reason, detail or _last_text(tracker), intent)
    if not delivered:
        log.warning("conversation %s paused for a human without bridge notice (reason %s)", tracker.sender_id, reason)
    zh, en = _CONNECTING.get(reason, _CONNECTING["explicit_human"])
    dispatcher.utter_message(text=pick(lang_of(tracker), zh, en))
    events: list[EventType] = [SlotSet("handoff_reason", reason), SlotSet("kb_failures", 0.0)]
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events + [ConversationPaused()]


def _last_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")[:500]


def handoff_reason(intent: str, text: str) -> str:
    """explicit_human / complaint_threat by intent; a compensation request needs a human's judgement."""
    if intent == "complaint":
        return "complaint_threat"
    if asks_for_compensation(text):
        return "needs_judgement"
    return REASON_BY_INTENT.get(intent, "explicit_human")


class ActionHandoff(Action):
    """Hands the conversation to a human agent."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name") or ""
        reason = handoff_reason(intent, _last_text(tracker))
        return start_handoff(dispatcher, tracker, reason)
