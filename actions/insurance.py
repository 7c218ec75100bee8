"""Shipping insurance: asks why the customer returns before saying who pays the return postage."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import get_services
from actions.common import current_order, lang_of, money, pick
from actions.policies import (
    INSURANCE_CAP_BULKY,
    INSURANCE_CAP_ORDINARY,
    INSURANCE_PAYOUT_HOURS,
    INSURANCE_PAYOUT_MIN,
    insurance_reply,
    who_pays_return_postage,
)
from shop.records import OrderRecord

PROCESS = ("流程：申请退货退款 → 先垫付运费寄回并保留快递单据 → 店铺收货检验后退还商品款和运费。",
           "Process: request return and refund → pay the postage and keep the receipt → after we receive and check "
           "the item we refund the item price and the postage.")


def postage_text(reason: str, order: OrderRecord | None, lang: str) -> str:
    """Who pays the return postage, given the reason (and the order's insurance and category when known)."""
    has_insurance = bool(order and order.has_shipping_insurance)
    category = order.items[0].category if order and order.items else ""
    decision = who_pays_return_postage(reason, has_insurance, category)
    if decision.payer == "shop":
        text = pick(lang, "质量问题退货，来回运费由店铺承担，包括超出运费险赔付的部分，没买运费险也一样。",
                    "For a quality problem the shop pays all return postage, including any part above the insurance payout, "
                    "even without shipping insurance.")
        if decision.may_decline_insurance:
            text += pick(lang, "您自己买的运费险可以选择不使用。", " You may choose not to use your own shipping insurance.")
        return text + "\n" + pick(lang, *PROCESS)
    if decision.payer == "customer_minus_insurance":
        cap = decision.insurance_cap
        return pick(lang, f"个人原因退货：您的订单买了运费险，运费险会赔付退货运费（本类目最高 {money(cap or 0)}），"
                          f"一般 {INSURANCE_PAYOUT_HOURS} 小时内到账；超出赔付的部分需要您承担。",
                    f"Returning for a personal reason: your order has shipping insurance, which pays the return postage "
                    f"(up to {money(cap or 0)} for this category), usually within {INSURANCE_PAYOUT_HOURS} hours; "
                    "you pay any part above that.") + "\n" + pick(lang, *PROCESS)
    if order is None:
        return pick(lang, f"个人原因退货：运费由您承担；如果下单时买了运费险，运费险会赔付（一般类目最高 {money(INSURANCE_CAP_ORDINARY)}，"
                          f"大件最高 {money(INSURANCE_CAP_BULKY)}），超出部分由您承担。",
                    f"Returning for a personal reason: you pay the postage; if you bought shipping insurance it pays out "
                    f"(up to {money(INSURANCE_CAP_ORDINARY)} for ordinary goods, {money(INSURANCE_CAP_BULKY)} for bulky items) and you pay the rest.")
    return pick(lang, "个人原因退货：这个订单没有买运费险，退货运费需要您承担。",
                "Returning for a personal reason: this order has no shipping insurance, so the return postage is yours to pay.")


def general_text(lang: str) -> str:
    """How shipping insurance works, for any order: payout range, cap, timing; who pays depends on the reason."""
    low, cap, bulky, hours = (money(INSURANCE_PAYOUT_MIN), money(INSURANCE_CAP_ORDINARY), money(INSURANCE_CAP_BULKY),
                              INSURANCE_PAYOUT_HOURS)
    return pick(
        lang,
        f"运费险赔的是退货寄回的运费：赔付金额一般在 {low}–{bulky} 之间，普通类目最高 {cap}，大件类目更高；"
        f"退货寄出、物流有揽收记录后，一般 {hours} 小时内自动赔付到您的支付账户。"
        "退货运费由谁承担要看退货原因：商品有质量问题的，来回运费全部由店铺承担。告诉我退货原因，我帮您确认具体怎么算。",
        f"Shipping insurance pays for the postage of a return: payouts are usually {low}–{bulky}, at most {cap} for "
        f"ordinary categories (more for bulky goods), paid to your account within {hours} hours of the courier "
        "picking up the return. Who pays the postage depends on why you return the item: for a quality problem the "
        "shop pays all of it. Tell me the reason and I'll check what applies to you.")


def ask_return_reason(dispatcher: CollectingDispatcher, lang: str) -> None:
    """Ask why the customer returns (before any word on who pays postage)."""
    payload = '/inform_return_reason{{"return_reason":"{}"}}'
    dispatcher.utter_message(
        text=pick(lang, "亲，方便说一下退货的原因吗？是商品有质量问题（破损、发错、有瑕疵），还是个人原因（不喜欢、尺码不合适、拍多了）？",
                  "Could you tell me why you're returning it? Is there a quality problem (damaged, wrong or defective item), "
                  "or is it a personal reason (don't like it, wrong size, ordered twice)?"),
        buttons=[{"title": pick(lang, "质量问题", "Quality problem"), "payload": payload.format("quality")},
                 {"title": pick(lang, "个人原因", "Personal reason"), "payload": payload.format("personal")}])


class ActionShippingInsurance(Action):
    """General insurance questions get the general facts; who pays is said only once the reason is known."""

    def name(self) -> str:
        return "action_shipping_insurance"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        latest = tracker.latest_message or {}
        in_message = next(tracker.get_latest_entity_values("return_reason"), None)
        known = in_message or tracker.get_slot("return_reason")
        reply = insurance_reply((latest.get("intent") or {}).get("name"), in_message, known, str(latest.get("text") or ""))
        if reply == "general":
            dispatcher.utter_message(text=general_text(lang))
            return []
        if reply == "ask_reason":
            ask_return_reason(dispatcher, lang)
            return []
        reason = str(known)
        order = current_order(get_services().shop, tracker)
        dispatcher.utter_message(text=postage_text(reason, order, lang))
        return [SlotSet("return_reason", reason)]
