"""Order actions: status, cancellation by status (with confirmation), address change."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, item_name, join, money, order_title, status_text, when
from actions.dialogue_state import confirmation_answer
from actions.handoff import start_handoff
from actions.policies import cancel_decision
from actions.refunds import say_refund_timing
from actions.topic import OrderTopicAction
from actions.wording import label, say
from shop import rules
from shop.records import OrderRecord


def say_status(dispatcher: CollectingDispatcher, order: OrderRecord, lang: str) -> None:
    """Status, then what it means: payment due, promised ship date or latest tracking, pre-sale balance."""
    x = "×" if lang == "zh" else " x"
    items = join([f"{item_name(i, lang)}{x}{i.qty}" for i in order.items], lang)
    say(dispatcher, "utter_order_status", order_id=order.id, items=items, status=status_text(order.status, lang),
        order_status=order.status)
    shipment = order.shipment
    if order.status == "pending_payment":
        say(dispatcher, "utter_order_unpaid", order_id=order.id)
    elif order.status == "paid" and shipment and shipment.promised_ship_by:
        say(dispatcher, "utter_order_ship_by", order_id=order.id, date=day(shipment.promised_ship_by, lang))
    elif shipment and shipment.last_event:
        ev = shipment.last_event
        say(dispatcher, "utter_order_latest", order_id=order.id, courier=shipment.courier,
            tracking_no=shipment.tracking_no, courier_status=label("courier", shipment.status, lang),
            when=when(ev.at, lang), location=ev.location,
            event=ev.description_en if lang == "en" and ev.description_en else ev.description_zh)
    if order.is_presale and order.balance_paid_at is None and order.balance_due_by:
        say(dispatcher, "utter_order_presale_balance", order_id=order.id, date=day(order.balance_due_by, lang))


class ActionOrderStatus(OrderTopicAction):
    def name(self) -> str:
        return "action_order_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        say_status(dispatcher, order, lang)
        return []


class ActionCancelOrder(OrderTopicAction):
    """Unshipped: ask to confirm (the next turn goes to action_confirm_cancel); shipped: refuse delivery or return."""

    def name(self) -> str:
        return "action_cancel_order"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        decision = cancel_decision(order)
        if decision == "cancel":
            return self._ask(dispatcher, order, lang)
        if decision == "presale_human":
            return start_handoff(dispatcher, tracker, "beyond_authority",
                                 f"pre-sale deposit paid, customer wants to cancel {order.id}")
        if decision == "not_cancellable":
            say(dispatcher, "utter_cancel_not_cancellable", order_id=order.id, status=status_text(order.status, lang),
                order_status=order.status)
        else:
            say(dispatcher, f"utter_cancel_{decision}", order_id=order.id)
        return []

    @staticmethod
    def _ask(dispatcher: CollectingDispatcher, order: OrderRecord, lang: str) -> list[EventType]:
        _, _, _, total = rules.cancellation_refund_amounts(order)
        say(dispatcher, "utter_cancel_confirm", order_id=order.id, title=order_title(order, lang), total=money(total))
        return [SlotSet("awaiting", "cancel_confirm")]


class ActionConfirmCancel(ActionCancelOrder):
    """The customer's answer to "shall I cancel it?": only a clear yes cancels; anything else keeps the order.

    A refusal in words (先不取消了, the 不取消了 button) keeps the order even when it reads like a cancel request.
    """

    def name(self) -> str:
        return "action_confirm_cancel"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        latest = tracker.latest_message or {}
        reply = confirmation_answer((latest.get("intent") or {}).get("name"), str(latest.get("text") or ""))
        if reply != "yes":  # no clear yes: nothing is cancelled
            say(dispatcher, "utter_cancel_kept", order_id=order.id)
            return [SlotSet("awaiting", None)]
        if cancel_decision(order) != "cancel":  # the order moved on since the question (e.g. shipped)
            return super().answer(dispatcher, tracker, order, services, lang) + [SlotSet("awaiting", None)]
        return self._cancel(dispatcher, order, services, lang) + [SlotSet("awaiting", None)]

    @staticmethod
    def _cancel(dispatcher: CollectingDispatcher, order: OrderRecord, services: Services, lang: str) -> list[EventType]:
        result = services.shop.cancel_order(order.id, order.customer_id, reason="customer request via bot")
        if not result.ok:
            say(dispatcher, "utter_cancel_failed", order_id=order.id, outcome=result.outcome)
            return []
        item, shipping, coupon, total = rules.cancellation_refund_amounts(order)
        say(dispatcher, "utter_cancel_done", order_id=order.id, total=money(total), item=money(item),
            shipping=money(shipping), coupon=money(coupon))
        if result.refund is not None:
            say_refund_timing(dispatcher, result.refund.method, result.refund.expected_by, lang)
        return []


class ActionChangeAddress(OrderTopicAction):
    def name(self) -> str:
        return "action_change_address"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if rules.can_change_address(order):
            a = order.address
            say(dispatcher, "utter_address_changeable", order_id=order.id, province=a.province, city=a.city,
                detail=a.detail)
        elif order.status == "shipped":
            courier = order.shipment.courier if order.shipment else label("courier", "unknown", lang)
            say(dispatcher, "utter_address_shipped", order_id=order.id, courier=courier)
        else:
            say(dispatcher, "utter_address_not_changeable", order_id=order.id, status=status_text(order.status, lang),
                order_status=order.status)
        return []
