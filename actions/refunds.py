"""Refund status: amount breakdown, normal timeline, bank timing; an overdue refund goes to a human."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, money, pick
from actions.handoff import start_handoff
from actions.policies import refund_view
from actions.topic import OrderTopicAction
from shop.records import OrderRecord, RefundRecord

REFUND_STATUS = {
    "requested": ("已申请，等待审核", "requested, waiting for review"),
    "approved": ("已同意，等待打款", "approved, payment being prepared"),
    "processing": ("退款处理中", "being paid out"),
    "paid": ("已退款", "paid"),
    "rejected": ("未通过", "rejected"),
}
METHOD = {"bank_card": ("银行卡", "bank card"), "alipay": ("支付宝", "Alipay"),
          "wechat": ("微信", "WeChat Pay"), "balance": ("账户余额", "account balance")}


def refund_timing_text(method: str, expected_by: datetime | None, lang: str) -> str:
    """Normal timeline by payment method; banks differ."""
    m_zh, m_en = METHOD.get(method, (method, method))
    if method == "bank_card":
        text = pick(lang, "退回银行卡一般 1–7 个工作日到账，不同银行到账速度不一样。",
                    "Refunds to a bank card normally arrive within 1–7 business days; banks differ in speed.")
    else:
        text = pick(lang, f"退回{m_zh}一般 24 小时内到账。", f"Refunds to {m_en} normally arrive within 24 hours.")
    if expected_by is not None:
        text += pick(lang, f"预计最晚 {day(expected_by, lang)} 到账。", f" Expected by {day(expected_by, lang)} at the latest.")
    return text


def refund_text(refund: RefundRecord, lang: str) -> str:
    zh, en = REFUND_STATUS.get(refund.status, (refund.status, refund.status))
    bank = f"（{refund.bank_name}）" if refund.bank_name and lang == "zh" else (f" ({refund.bank_name})" if refund.bank_name else "")
    m_zh, m_en = METHOD.get(refund.method, (refund.method, refund.method))
    return pick(
        lang,
        f"退款 {money(refund.total)}：商品 {money(refund.item_amount)} + 运费 {money(refund.shipping_amount)}"
        f" − 优惠券 {money(refund.coupon_deduction)}，状态：{zh}，退回{m_zh}{bank}。",
        f"Refund {money(refund.total)}: items {money(refund.item_amount)} + shipping {money(refund.shipping_amount)}"
        f" − coupon {money(refund.coupon_deduction)}; status: {en}; back to your {m_en}{bank}.")


class ActionRefundStatus(OrderTopicAction):
    def name(self) -> str:
        return "action_refund_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if not order.refunds:
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 目前没有退款记录。如果您已经申请了，可能还在提交中，稍后再查或说“转人工”。",
                f"Order {order.id} has no refund on record. If you just requested one it may still be processing; "
                "check again later or say \"talk to a human\"."))
            return []
        now = services.shop.now()
        late = []
        for refund in order.refunds:
            view = refund_view(refund, now)
            text = pick(lang, f"订单 {order.id} ", f"Order {order.id}: ") + refund_text(refund, lang)
            if refund.status == "paid" and refund.paid_at:
                text += pick(lang, f" 已于 {day(refund.paid_at, lang)} 退出，如未看到请查看{'银行卡' if refund.method == 'bank_card' else '账户'}明细。",
                             f" Paid out on {day(refund.paid_at, lang)}; please check your statement.")
            elif refund.status != "rejected":
                text += " " + refund_timing_text(refund.method, view.expected_by, lang)
            dispatcher.utter_message(text=text)
            if view.late:
                late.append(refund)
        if late:
            dispatcher.utter_message(text=pick(
                lang, "这笔退款已经超过正常到账时间，非常抱歉让您久等了，我这边马上为您催办。",
                "This refund is past its normal arrival time. I'm sorry for the wait; I'm chasing it for you now."))
            detail = "; ".join(f"refund {r.id} {money(r.total)} expected by {r.expected_by}" for r in late)
            return start_handoff(dispatcher, tracker, "late_refund", f"overdue refund on {order.id}: {detail}")
        return []
