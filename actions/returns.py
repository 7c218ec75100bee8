"""Returns and exchanges: 7-day eligibility from delivery, excluded goods, photos, steps and timeline."""

from __future__ import annotations

from abc import abstractmethod

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, pick
from actions.insurance import ask_return_reason, postage_text
from actions.policies import ReturnEligibility, return_eligibility
from actions.topic import OrderTopicAction
from shop.records import OrderRecord

SPECIAL = {"fresh": ("生鲜", "fresh food"), "customised": ("定制", "customised"),
           "intimate": ("贴身衣物", "intimate apparel"), "digital": ("已激活的数码", "activated digital")}


def excluded_text(eligibility: ReturnEligibility, lang: str) -> str:
    names = [pick(lang, *SPECIAL.get(s, (s, s))) for s in eligibility.excluded]
    return ("、" if lang == "zh" else ", ").join(names)


def steps_text(kind: str, lang: str) -> str:
    if kind == "exchange":
        return pick(lang, "换货步骤：① 订单详情页点“申请售后-换货”，选择新的尺码/颜色；② 上传商品照片（整体、吊牌、包装，有问题的地方拍清楚）；"
                          "③ 审核通过后寄回并保留快递单号；④ 仓库收货检验后 1–3 天内发出新商品。",
                    "How to exchange: 1) on the order page choose \"After-sales → Exchange\" and the new size/colour; "
                    "2) upload photos (whole item, tags, packaging, any defect); 3) after approval send it back and keep the tracking number; "
                    "4) we ship the replacement within 1–3 days of receiving and checking it.")
    return pick(lang, "退货步骤：① 订单详情页点“申请售后-退货退款”；② 上传商品照片（整体、吊牌、包装，有问题的地方拍清楚）用于核验；"
                      "③ 审核通过后寄回，保留快递单号/运费凭证；④ 仓库收货检验后 1–3 天内退款，原路退回。",
                "How to return: 1) on the order page choose \"After-sales → Return and refund\"; 2) upload photos "
                "(whole item, tags, packaging, any defect) so we can check its condition; 3) after approval send it back and keep "
                "the tracking number and postage receipt; 4) we refund within 1–3 days of receiving and checking it, to your original payment method.")


class _ReturnLike(OrderTopicAction):
    kind = "return"

    @abstractmethod
    def name(self) -> str:
        """Set by the concrete action."""

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        elig = return_eligibility(order, services.shop.now())
        what = pick(lang, "退货" if self.kind == "return" else "换货", "return" if self.kind == "return" else "exchange")
        if elig.reason == "not_delivered":
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 还没有签收，暂时不能申请{what}。未发货可以直接取消，运输中可以拒收。",
                f"Order {order.id} hasn't been delivered yet, so a {what} isn't possible. If it hasn't shipped you can cancel; "
                "if it's on the way you can refuse the delivery."))
            return []
        if elig.reason == "cancelled":
            dispatcher.utter_message(text=pick(lang, f"订单 {order.id} 已取消，无需{what}。", f"Order {order.id} is cancelled; no {what} is needed."))
            return []
        if elig.reason == "already_requested" and self.kind == "return":
            req = next(r for r in reversed(order.returns) if r.kind == "return")
            dispatcher.utter_message(text=pick(lang, f"订单 {order.id} 已经有一个退货申请（{req.id}），状态：{req.status}，请耐心等待处理。",
                                               f"Order {order.id} already has a return request ({req.id}), status: {req.status}."))
            return []
        if elig.reason == "excluded":
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 含{excluded_text(elig, lang)}商品，按平台规则不支持七天无理由{what}。"
                      "如果商品有质量问题（破损、变质、发错），请拍照片发给我们，售后会按质量问题处理。",
                f"Order {order.id} contains {excluded_text(elig, lang)} goods, which are excluded from the 7-day no-reason {what}. "
                "If there's a quality problem (damaged, spoiled, wrong item), please send photos and after-sales will handle it as a quality issue."))
        elif elig.reason == "window_passed":
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 于 {day(order.delivered_at, lang)} 签收，七天无理由{what}已在 {day(elig.deadline, lang)} 截止。"
                      "如果是质量问题，仍然可以申请售后，请拍照说明问题。",
                f"Order {order.id} was delivered on {day(order.delivered_at, lang)}; the 7-day no-reason {what} ended on "
                f"{day(elig.deadline, lang)}. For a quality problem you can still request after-sales service with photos."))
        else:
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 于 {day(order.delivered_at, lang)} 签收，支持七天无理由{what}，请在 {day(elig.deadline, lang)} 前申请，"
                      "商品需保持完好、不影响二次销售。",
                f"Order {order.id} was delivered on {day(order.delivered_at, lang)} and qualifies for the 7-day no-reason {what}; "
                f"please apply by {day(elig.deadline, lang)}. The item must be in resalable condition.")
                + "\n" + steps_text(self.kind, lang))
        reason = tracker.get_slot("return_reason")
        if reason in ("quality", "personal"):
            dispatcher.utter_message(text=postage_text(reason, order, lang))
        else:
            ask_return_reason(dispatcher, lang)
        return []


class ActionReturnGoods(_ReturnLike):
    kind = "return"

    def name(self) -> str:
        return "action_return_goods"


class ActionExchangeGoods(_ReturnLike):
    kind = "exchange"

    def name(self) -> str:
        return "action_exchange_goods"
