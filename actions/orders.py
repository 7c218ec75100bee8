"""Order actions: status, cancellation by status (with confirmation), address change."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import COURIER_STATUS, day, item_name, money, order_title, pick, status_text, when
from actions.handoff import start_handoff
from actions.policies import cancel_decision
from actions.refunds import refund_timing_text
from actions.topic import OrderTopicAction
from shop import rules
from shop.records import OrderRecord

YES_NO = {
    "zh": [{"title": "确认取消", "payload": "/affirm"}, {"title": "不取消了", "payload": "/deny"}],
    "en": [{"title": "Yes, cancel it", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}],
}


def status_summary(order: OrderRecord, lang: str, now_shipped_hint: bool = True) -> str:
    items = "、".join(f"{item_name(i, lang)}×{i.qty}" for i in order.items) if lang == "zh" else \
        ", ".join(f"{item_name(i, lang)} x{i.qty}" for i in order.items)
    text = pick(lang, f"订单 {order.id}（{items}）当前状态：{status_text(order.status, lang)}。",
                f"Order {order.id} ({items}) is {status_text(order.status, lang)}.")
    shipment = order.shipment
    if order.status == "pending_payment":
        text += pick(lang, " 订单还未付款，付款后我们会尽快安排发货。", " It hasn't been paid yet; we'll ship soon after payment.")
    elif order.status == "paid" and shipment and shipment.promised_ship_by:
        text += pick(lang, f" 承诺在 {day(shipment.promised_ship_by, lang)} 前发货。",
                     f" We promised to ship it by {day(shipment.promised_ship_by, lang)}.")
    elif shipment and shipment.last_event and now_shipped_hint:
        ev = shipment.last_event
        desc = ev.description_en if lang == "en" and ev.description_en else ev.description_zh
        zh, en = COURIER_STATUS.get(shipment.status, (shipment.status, shipment.status))
        text += pick(lang, f" {shipment.courier}（{shipment.tracking_no}）{zh}，最新：{when(ev.at, lang)} {ev.location} {desc}",
                     f" {shipment.courier} ({shipment.tracking_no}) {en}; latest: {when(ev.at, lang)} {ev.location} {desc}")
    if order.is_presale and order.balance_paid_at is None and order.balance_due_by:
        text += pick(lang, f" 这是预售订单，尾款请在 {day(order.balance_due_by, lang)} 前支付。",
                     f" This is a pre-sale order; please pay the balance by {day(order.balance_due_by, lang)}.")
    return text


class ActionOrderStatus(OrderTopicAction):
    def name(self) -> str:
        return "action_order_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        dispatcher.utter_message(text=status_summary(order, lang))
        return []


class ActionCancelOrder(OrderTopicAction):
    """Unshipped: confirm, then cancel and refund; shipped: refuse delivery or return."""

    def name(self) -> str:
        return "action_cancel_order"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        confirming = tracker.get_slot("awaiting") == "cancel_confirm"
        decision = cancel_decision(order)
        if confirming and intent == "deny":
            dispatcher.utter_message(text=pick(lang, f"好的，订单 {order.id} 为您保留，不会取消。",
                                               f"Okay, order {order.id} stays as it is."))
            return [SlotSet("awaiting", None)]
        if decision == "cancel" and confirming and intent == "affirm":
            return self._cancel(dispatcher, order, services, lang) + [SlotSet("awaiting", None)]
        if decision == "cancel":
            _, _, coupon, total = rules.cancellation_refund_amounts(order)
            dispatcher.utter_message(
                text=pick(lang, f"订单 {order_title(order, lang)} 还未发货，可以直接取消，取消后 {money(total)} 会原路退回。确认取消吗？",
                          f"Order {order_title(order, lang)} hasn't shipped, so it can be cancelled; {money(total)} "
                          "will go back to your original payment method. Shall I cancel it?"),
                buttons=YES_NO[lang])
            return [SlotSet("awaiting", "cancel_confirm")]
        events: list[EventType] = [SlotSet("awaiting", None)] if confirming else []
        if decision == "reject_delivery":
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 已经发货，无法直接取消。您可以在快递派送时拒收，包裹退回仓库后我们为您退款；"
                      "也可以签收后申请退货。",
                f"Order {order.id} has already shipped, so it can't be cancelled directly. You can refuse the delivery; "
                "once the parcel is back at our warehouse we refund you. Or accept it and request a return."))
        elif decision == "return_after_delivery":
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 已经签收，无法取消。如需退货，请告诉我“我要退货”，我帮您看是否符合七天无理由退货。",
                f"Order {order.id} has been delivered, so it can't be cancelled. If you'd like to return it, "
                "say \"I want to return it\" and I'll check the 7-day return rules."))
        elif decision == "already_cancelled":
            dispatcher.utter_message(text=pick(lang, f"订单 {order.id} 已经取消了。", f"Order {order.id} is already cancelled."))
        elif decision == "presale_human":
            return events + start_handoff(dispatcher, tracker, "needs_judgement",
                                          f"pre-sale deposit paid, customer wants to cancel {order.id}")
        else:
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 当前是“{status_text(order.status, lang)}”，不能再取消。",
                f"Order {order.id} is {status_text(order.status, lang)} and can no longer be cancelled."))
        return events

    def _cancel(self, dispatcher: CollectingDispatcher, order: OrderRecord, services: Services, lang: str) -> list[EventType]:
        result = services.shop.cancel_order(order.id, order.customer_id, reason="customer request via bot")
        if not result.ok:
            dispatcher.utter_message(text=pick(
                lang, f"抱歉，订单 {order.id} 现在无法取消（{result.outcome}），我帮您转人工处理吧，说“转人工”即可。",
                f"Sorry, order {order.id} can't be cancelled now ({result.outcome}). Say \"talk to a human\" and an agent will help."))
            return []
        item, shipping, coupon, total = rules.cancellation_refund_amounts(order)
        refund = result.refund
        text = pick(lang, f"订单 {order.id} 已取消。退款 {money(total)}（商品 {money(item)} + 运费 {money(shipping)}"
                          f" − 优惠券 {money(coupon)}），原路退回。",
                    f"Order {order.id} is cancelled. Refund {money(total)} (items {money(item)} + shipping {money(shipping)}"
                    f" − coupon {money(coupon)}) goes back to your original payment method.")
        if refund is not None:
            text += " " + refund_timing_text(refund.method, refund.expected_by, lang)
        dispatcher.utter_message(text=text)
        return []


class ActionChangeAddress(OrderTopicAction):
    def name(self) -> str:
        return "action_change_address"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if rules.can_change_address(order):
            a = order.address
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 还没发货，可以改地址。当前地址：{a.province}{a.city}{a.detail}。"
                      "请在订单详情页点“修改地址”提交新地址；如果页面改不了，说“转人工”，客服帮您改。",
                f"Order {order.id} hasn't shipped yet, so the address can still be changed. Current address: "
                f"{a.detail}, {a.city}, {a.province}. Use \"Change address\" on the order page; if that doesn't work, "
                "say \"talk to a human\" and an agent will change it."))
        elif order.status in ("shipped",):
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 已经发货，地址不能直接修改了。可以联系 {order.shipment.courier if order.shipment else '快递'} "
                      "申请改派（可能产生费用），或者拒收后重新下单。",
                f"Order {order.id} has already shipped, so the address can't be changed here. You can ask "
                f"{order.shipment.courier if order.shipment else 'the courier'} to redirect it (they may charge), "
                "or refuse the delivery and order again."))
        else:
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 当前是“{status_text(order.status, lang)}”，无法修改地址。",
                f"Order {order.id} is {status_text(order.status, lang)}; its address can't be changed."))
        return []


class ActionConfirmCancel(ActionCancelOrder):
    """The customer's yes/no to "shall I cancel it?" (same logic, own name so rules stay unambiguous)."""

    def name(self) -> str:
        return "action_confirm_cancel"
