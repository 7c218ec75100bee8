"""Base class of the actions that answer about one order chosen by the order form."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import Services, get_services
from actions.common import current_order, lang_of, pick
from shop.records import OrderRecord


class OrderTopicAction(Action, metaclass=ABCMeta):
    """Loads the order the customer may see, lets the subclass answer, then clears the form slot."""

    @abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord, services: Services, lang: str
    ) -> list[EventType]:
        """Tell the customer about `order`; return extra events."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        services = get_services()
        lang = lang_of(tracker)
        order = current_order(services.shop, tracker)
        if order is None:
            dispatcher.utter_message(text=pick(
                lang, "抱歉亲，没有在您的账号下找到这个订单。请确认订单号，或者说“转人工”让客服帮您查。",
                "Sorry, I couldn't find that order on your account. Please check the number, or say \"talk to a human\"."))
            return [SlotSet("order_id", None)]
        events = self.answer(dispatcher, tracker, order, services, lang)
        return events + [SlotSet("order_id", None), SlotSet("last_order_id", order.id)]
