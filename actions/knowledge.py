"""FAQ answers and the low-confidence path: KB search → answer / clarify with two options / human after repeats."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import KbError, KbResult, get_services
from actions.common import lang_of
from actions.config import get_settings
from actions.handoff import start_handoff
from actions.policies import hits_for_intent, kb_choice
from actions.topic import settle_question
from actions.wording import say

log = logging.getLogger(__name__)

FALLBACK_FLAG = {"fallback": True}


def user_text(tracker: Tracker) -> str:
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "" if text.startswith("/") else text


def not_understood(dispatcher: CollectingDispatcher, tracker: Tracker, detail: str) -> list[EventType]:
    """Count a failure; after `max_failures` in a row a human takes over."""
    failures = int(tracker.get_slot("kb_failures") or 0) + 1
    if failures >= get_settings().max_failures:
        return start_handoff(dispatcher, tracker, "bot_failed", detail)
    # The structured flag, not the wording, tells the bridge's handoff decision that the bot failed here.
    dispatcher.utter_message(response="utter_not_understood", json_message=FALLBACK_FLAG)
    return [SlotSet("kb_failures", float(failures)), SlotSet("kb_entry_id", None), SlotSet("kb_score", None)]


def reply_from_kb(dispatcher: CollectingDispatcher, tracker: Tracker, result: KbResult) -> list[EventType]:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    hits = hits_for_intent(result["hits"], intent)
    choice = kb_choice(hits, bool(result.get("in_scope")), get_settings().kb_clarify_margin)
    if choice == "answer":
        top = hits[0]
        dispatcher.utter_message(text=top.get("answer") or top.get("title") or "")
        return [SlotSet("kb_entry_id", top["id"]), SlotSet("kb_score", round(float(top["score"]), 4)),
                SlotSet("kb_failures", 0.0)]
    if choice == "clarify":
        buttons = [{"title": h.get("title") or h.get("matched") or h["id"],
                    "payload": h.get("title") or h.get("matched") or h["id"]} for h in hits[:2]]
        say(dispatcher, "utter_kb_clarify", buttons=buttons)
        return [SlotSet("kb_entry_id", None), SlotSet("kb_score", round(float(hits[0]["score"]), 4))]
    best = f"best {hits[0]['id']} {float(hits[0]['score']):.3f}" if hits else "no hits"
    return not_understood(dispatcher, tracker, f"not understood ({best}): {user_text(tracker)[:300]}")


class ActionKbAnswer(Action):
    """Answers from the knowledge base; records the matched entry id and score in the conversation."""

    def name(self) -> str:
        return "action_kb_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = user_text(tracker)
        if not text:
            return not_understood(dispatcher, tracker, "empty message")
        try:
            result = get_services().kb.search(text, lang=lang_of(tracker), kinds=None, top_k=5)
        except KbError as exc:
            log.error("KB search failed: %s", exc)
            return not_understood(dispatcher, tracker, f"KB unavailable: {text[:300]}")
        return settle_question(tracker, reply_from_kb(dispatcher, tracker, result))


class ActionDefaultFallback(ActionKbAnswer):
    """Core fallback (no confident next action): same path as a low-confidence message."""

    def name(self) -> str:
        return "action_default_fallback"
