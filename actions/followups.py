"""action_other_order: "另一个" / "the other one" — the same question about the other order of the last choice."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import accessible_order, customer_id_of, lang_of, order_buttons, order_title
from actions.dialogue_state import TOPIC_INTENT, other_orders
from actions.invoices import ActionInvoice
from actions.logistics import ActionTrackParcel
from actions.order_choice import orders_to_offer
from actions.orders import ActionCancelOrder, ActionChangeAddress, ActionOrderStatus
from actions.policies import normalise_order_id
from actions.refunds import ActionRefundStatus
from actions.returns import ActionExchangeGoods, ActionReturnGoods
from actions.topic import OrderTopicAction, settle_question
from actions.wording import say
from shop.records import OrderRecord

TOPIC_ACTIONS: dict[str, type[OrderTopicAction]] = {
    "status": ActionOrderStatus, "track": ActionTrackParcel, "cancel": ActionCancelOrder,
    "address": ActionChangeAddress, "return": ActionReturnGoods, "exchange": ActionExchangeGoods,
    "refund": ActionRefundStatus, "invoice": ActionInvoice,
}


class ActionOtherOrder(Action):
    """Answers the current topic for the other order: of the choice just offered, else of the customer's
    orders that fit the topic. Several left: a choice whose buttons repeat the topic with the order."""

    def name(self) -> str:
        return "action_other_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        services = get_services()
        topic = tracker.get_slot("order_topic")
        current = normalise_order_id(tracker.get_slot("last_order_id"))
        customer = customer_id_of(tracker)
        candidates = other_orders(tracker.get_slot("offered_orders") or [], current)
        if not candidates and customer:
            fitting = orders_to_offer(services.shop.orders_for_customer(customer), topic, "")
            candidates = other_orders([o.id for o in fitting], current)
        orders = [o for o in (accessible_order(services.shop, tracker, oid) for oid in candidates) if o is not None]
        if len(orders) == 1:
            action = TOPIC_ACTIONS.get(topic or "", ActionOrderStatus)()
            return action.answer_about(dispatcher, tracker, orders[0], services)
        if orders:
            say(dispatcher, "utter_which_other_order", buttons=self._buttons(orders, topic, lang_of(tracker)))
            return settle_question(tracker, [SlotSet("offered_orders", [o.id for o in orders])])
        if current:
            say(dispatcher, "utter_no_other_order", order_id=current)
            return settle_question(tracker, [])
        if customer:
            mine = services.shop.orders_for_customer(customer)
            if mine:
                say(dispatcher, "utter_which_order", buttons=order_buttons(mine, lang_of(tracker)))
                return settle_question(tracker, [SlotSet("offered_orders", [o.id for o in mine])])
        say(dispatcher, "utter_ask_order_number")
        return settle_question(tracker, [])

    @staticmethod
    def _buttons(orders: list[OrderRecord], topic: str | None, lang: str) -> list[dict[str, str]]:
        """Each button asks the topic's question with the order number, so the answer keeps the topic."""
        intent = TOPIC_INTENT.get(topic or "", "order_status")
        return [{"title": order_title(o, lang), "payload": f'/{intent}{{"order_id":"{o.id}"}}'} for o in orders]
