"""Parcel tracking: real progress, honest ETA, cause of delay, courier switch where policy offers it."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, join, when
from actions.dialogue_state import confirmation_answer, previous_answer
from actions.policies import DelayInfo, describe_delay
from actions.topic import OrderTopicAction
from actions.wording import label, say
from shop import rules
from shop.records import OrderRecord

# Answers after which "why so slow?" is a follow-up on the progress the customer has just seen.
TRACKING_ANSWERS = frozenset({"action_track_parcel", "action_confirm_courier_switch", "action_order_status",
                              "action_other_order"})


def event_lines(info: DelayInfo, lang: str) -> str:
    lines = []
    for ev in info.latest[:2]:
        desc = ev.description_en if lang == "en" and ev.description_en else ev.description_zh
        lines.append(f"\n· {when(ev.at, lang)} {ev.location} {desc}")
    return "".join(lines)


def say_delay_facts(dispatcher: CollectingDispatcher, order_id: str, info: DelayInfo, lang: str,
                    explain: bool) -> None:
    """Cause (or that none is recorded, when asked why), honest ETA, stalled tracking."""
    if info.status == "delivered":
        return
    if info.cause != "none":
        say(dispatcher, "utter_delay_cause", order_id=order_id, cause=label("cause", info.cause, lang),
            delay_cause=info.cause, force_majeure=info.force_majeure)
    elif explain and info.late:
        say(dispatcher, "utter_delay_cause_unknown", order_id=order_id)
    if info.eta:
        response = "utter_eta_passed" if info.eta_passed else "utter_eta"
        say(dispatcher, response, order_id=order_id, date=day(info.eta, lang), eta=info.eta.isoformat())
    if info.stalled:
        say(dispatcher, "utter_tracking_stalled", order_id=order_id)


class ActionTrackParcel(OrderTopicAction):
    """Tracking answer; "why so slow?" right after one explains the delay of that same order."""

    def name(self) -> str:
        return "action_track_parcel"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        shipment = order.shipment
        if shipment is None or (order.status in ("paid", "pending_payment") and not shipment.events):
            return self._not_shipped(dispatcher, order, services, lang)
        info = describe_delay(shipment, services.shop.now())
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        explain = (intent == "delivery_delay" and info.status != "delivered"
                   and tracker.get_slot("last_order_id") == order.id
                   and previous_answer(tracker.events) in TRACKING_ANSWERS)
        courier_status = label("courier", info.status, lang)
        if explain and not info.late:
            say(dispatcher, "utter_delay_on_schedule", order_id=order.id, courier_status=courier_status,
                parcel_status=info.status)
        elif not explain:
            say(dispatcher, "utter_tracking", order_id=order.id, courier=shipment.courier,
                tracking_no=shipment.tracking_no, courier_status=courier_status, parcel_status=info.status,
                events=event_lines(info, lang))
        say_delay_facts(dispatcher, order.id, info, lang, explain=explain)
        if info.offer_courier_switch:
            say(dispatcher, "utter_courier_switch_offer", order_id=order.id, couriers=join(list(info.alt_couriers), lang),
                courier=info.alt_couriers[0])
            return [SlotSet("awaiting", "courier_switch")]
        return []

    def _not_shipped(self, dispatcher: CollectingDispatcher, order: OrderRecord, services: Services, lang: str) -> list[EventType]:
        shipment = order.shipment
        promised = shipment.promised_ship_by if shipment else None
        if rules.is_shipment_overdue(order, services.shop.now()):
            say(dispatcher, "utter_not_shipped_overdue", order_id=order.id, date=day(promised, lang), overdue=True)
        elif promised:
            say(dispatcher, "utter_not_shipped_promised", order_id=order.id, date=day(promised, lang))
        else:
            say(dispatcher, "utter_not_shipped", order_id=order.id)
        return []


class ActionConfirmCourierSwitch(ActionTrackParcel):
    """The customer's yes/no to the courier-switch offer (anything but a clear yes keeps the courier)."""

    def name(self) -> str:
        return "action_confirm_courier_switch"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        shipment = order.shipment
        latest = tracker.latest_message or {}
        accepted = confirmation_answer((latest.get("intent") or {}).get("name"), str(latest.get("text") or "")) == "yes"
        alts = [c for c in shipment.alt_couriers if c != shipment.courier] if shipment else []
        if not accepted or not alts:
            say(dispatcher, "utter_courier_kept", order_id=order.id)
            return [SlotSet("awaiting", None)]
        return self._switch(dispatcher, order, services, alts[0]) + [SlotSet("awaiting", None)]

    @staticmethod
    def _switch(dispatcher: CollectingDispatcher, order: OrderRecord, services: Services, courier: str) -> list[EventType]:
        result = services.shop.request_courier_switch(order.id, courier, order.customer_id)
        if result.ok:
            say(dispatcher, "utter_courier_switched", order_id=order.id, courier=courier)
        else:
            say(dispatcher, "utter_courier_switch_failed", order_id=order.id)
        return []


