"""Base class of the actions that answer about one order chosen by the order form."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import Services, get_services
from actions.common import current_order, lang_of
from actions.wording import say
from shop.records import OrderRecord


def settle_question(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """A yes/no question is pending for one turn only: clear `awaiting` unless this answer asks one."""
    if tracker.get_slot("awaiting") and not any(e.get("name") == "awaiting" for e in events):
        return events + [SlotSet("awaiting", None)]
    return events


class OrderTopicAction(Action, metaclass=ABCMeta):
    """Loads the order the customer may see, lets the subclass answer, then clears the form slot."""

    @abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord, services: Services, lang: str
    ) -> list[EventType]:
        """Tell the customer about `order`; return extra events."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        services = get_services()
        return self.answer_about(dispatcher, tracker, current_order(services.shop, tracker), services)

    def answer_about(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord | None,
                     services: Services) -> list[EventType]:
        """Answer about `order` (None: not found on this account) and make it the current order."""
        if order is None:
            say(dispatcher, "utter_order_not_found")
            return settle_question(tracker, [SlotSet("order_id", None)])
        events = self.answer(dispatcher, tracker, order, services, lang_of(tracker))
        return settle_question(tracker, events) + [SlotSet("order_id", None), SlotSet("last_order_id", order.id)]
