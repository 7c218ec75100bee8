"""Parcel tracking: real progress, honest ETA, cause of delay, courier switch where policy offers it."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import COURIER_STATUS, day, pick, when
from actions.policies import DelayInfo, describe_delay
from actions.topic import OrderTopicAction
from shop import rules
from shop.records import OrderRecord

CAUSE = {
    "weather": ("受恶劣天气影响", "bad weather"),
    "epidemic": ("受当地疫情管控影响", "local epidemic restrictions"),
    "large_event": ("受当地大型活动交通管制影响", "traffic controls for a large event"),
    "peak_season": ("大促期间快递量大", "the peak-season parcel volume"),
    "courier_unreachable": ("合作快递暂时无法派送到您所在地区", "our courier currently can't deliver to your area"),
    "warehouse_backlog": ("仓库发货积压", "a backlog at our warehouse"),
}
SWITCH_BUTTONS = {
    "zh": [{"title": "换快递", "payload": "/affirm"}, {"title": "不用了", "payload": "/deny"}],
    "en": [{"title": "Switch courier", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}],
}


def progress_text(info: DelayInfo, courier: str, tracking_no: str, lang: str) -> str:
    zh, en = COURIER_STATUS.get(info.status, (info.status, info.status))
    text = pick(lang, f"{courier} {tracking_no}：{zh}。", f"{courier} {tracking_no}: {en}.")
    for ev in info.latest[:2]:
        desc = ev.description_en if lang == "en" and ev.description_en else ev.description_zh
        text += f"\n· {when(ev.at, lang)} {ev.location} {desc}"
    if info.status == "delivered":
        return text
    if info.cause != "none":
        c_zh, c_en = CAUSE.get(info.cause, (info.cause, info.cause))
        text += pick(lang, f"\n延误原因：{c_zh}。", f"\nCause of the delay: {c_en}.")
    if info.eta:
        if info.eta_passed:
            text += pick(lang, f"\n原预计 {day(info.eta, lang)} 送达，已经晚了，非常抱歉。",
                         f"\nIt was due on {day(info.eta, lang)} and is now late; I'm sorry.")
        else:
            text += pick(lang, f"\n预计 {day(info.eta, lang)} 送达。", f"\nExpected delivery: {day(info.eta, lang)}.")
    if info.stalled:
        text += pick(lang, "\n物流已经好几天没有更新，我们会向快递公司核查包裹情况。",
                     "\nTracking hasn't updated for several days; we'll check with the courier.")
    return text


class ActionTrackParcel(OrderTopicAction):
    def name(self) -> str:
        return "action_track_parcel"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        now = services.shop.now()
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        shipment = order.shipment
        if tracker.get_slot("awaiting") == "courier_switch" and shipment is not None:
            return self._switch_reply(dispatcher, order, services, lang, intent == "affirm")
        if shipment is None or (order.status in ("paid", "pending_payment") and not shipment.events):
            return self._not_shipped(dispatcher, order, services, lang)
        info = describe_delay(shipment, now)
        dispatcher.utter_message(text=pick(lang, f"订单 {order.id} 的物流：", f"Tracking for order {order.id}: ")
                                 + progress_text(info, shipment.courier, shipment.tracking_no, lang))
        if info.offer_courier_switch:
            alts = "、".join(info.alt_couriers) if lang == "zh" else ", ".join(info.alt_couriers)
            dispatcher.utter_message(
                text=pick(lang, f"{alts} 可以派送到您的地址，需要为您改用 {info.alt_couriers[0]} 吗？",
                          f"{alts} can deliver to your address. Shall I switch your parcel to {info.alt_couriers[0]}?"),
                buttons=SWITCH_BUTTONS[lang])
            return [SlotSet("awaiting", "courier_switch")]
        return []

    def _not_shipped(self, dispatcher: CollectingDispatcher, order: OrderRecord, services: Services, lang: str) -> list[EventType]:
        shipment = order.shipment
        promised = shipment.promised_ship_by if shipment else None
        if rules.is_shipment_overdue(order, services.shop.now()):
            text = pick(lang, f"订单 {order.id} 还没发货，已经超过承诺的 {day(promised, lang)} 发货时间，非常抱歉。我已记录并催促尽快发出，发货后物流信息会同步给您。",
                        f"Order {order.id} hasn't shipped and is past the promised ship date ({day(promised, lang)}). "
                        "I'm sorry; I've flagged it to be shipped as soon as possible and you'll see tracking once it leaves.")
        elif promised:
            text = pick(lang, f"订单 {order.id} 还没发货，承诺在 {day(promised, lang)} 前发出，发货后就能看到物流信息。",
                        f"Order {order.id} hasn't shipped yet; it will leave by {day(promised, lang)} and tracking appears then.")
        else:
            text = pick(lang, f"订单 {order.id} 还没有物流信息（当前：未发货）。", f"Order {order.id} has no tracking yet (not shipped).")
        dispatcher.utter_message(text=text)
        return []

    def _switch_reply(self, dispatcher: CollectingDispatcher, order: OrderRecord, services: Services,
                      lang: str, accepted: bool) -> list[EventType]:
        shipment = order.shipment
        assert shipment is not None
        alts = [c for c in shipment.alt_couriers if c != shipment.courier]
        if not accepted or not alts:
            dispatcher.utter_message(text=pick(lang, "好的，保持原快递，我们会继续跟进派送进度。",
                                               "Okay, we'll keep the current courier and keep following the delivery."))
            return [SlotSet("awaiting", None)]
        result = services.shop.request_courier_switch(order.id, alts[0], order.customer_id)
        if result.ok:
            dispatcher.utter_message(text=pick(lang, f"已为您申请改用 {alts[0]} 配送，仓库处理后会更新物流单号。",
                                               f"Done: I've requested delivery by {alts[0]}; the new tracking number appears once the warehouse processes it."))
        else:
            dispatcher.utter_message(text=pick(lang, "抱歉，改派没有成功，请说“转人工”由客服处理。",
                                               "Sorry, the courier switch didn't go through. Say \"talk to a human\" and an agent will handle it."))
        return [SlotSet("awaiting", None)]


class ActionConfirmCourierSwitch(ActionTrackParcel):
    """The customer's yes/no to the courier-switch offer."""

    def name(self) -> str:
        return "action_confirm_courier_switch"
