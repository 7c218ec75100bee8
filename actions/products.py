"""Product questions answered from the KB service's product entries (attributes, stock); big-ticket → human offer."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import KbError, get_services
from actions.common import lang_of
from actions.knowledge import not_understood, reply_from_kb, user_text
from actions.topic import settle_question
from actions.wording import say

log = logging.getLogger(__name__)
HIGH_TICKET = frozenset({"furniture", "appliance", "appliances", "large_appliance", "home_appliance"})


class ActionProductQuestion(Action):
    def name(self) -> str:
        return "action_product_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = user_text(tracker)
        lang = lang_of(tracker)
        product = next(tracker.get_latest_entity_values("product"), None) or tracker.get_slot("product")
        query = text or str(product or "")
        if not query:
            return not_understood(dispatcher, tracker, "empty product question")
        kb = get_services().kb
        try:
            result = kb.search(query, lang=lang, kinds=["product"], top_k=3)
            if not result["hits"] or not result.get("in_scope"):
                result = kb.search(query, lang=lang, kinds=None, top_k=5)
        except KbError as exc:
            log.error("KB search failed: %s", exc)
            return not_understood(dispatcher, tracker, f"KB unavailable: {query[:300]}")
        events = reply_from_kb(dispatcher, tracker, result)
        top = result["hits"][0] if result["hits"] else None
        if top and top.get("kind") == "product" and result.get("in_scope"):
            meta = top.get("meta") or {}
            if meta.get("high_ticket") or str(meta.get("category", "")).lower() in HIGH_TICKET:
                say(dispatcher, "utter_big_ticket_offer")
            events.append(SlotSet("product", top.get("title")))
        return settle_question(tracker, events)
