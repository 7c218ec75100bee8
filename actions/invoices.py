"""Invoices: status of the order's invoice, or how to request one."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, pick
from actions.topic import OrderTopicAction
from shop.records import OrderRecord

KIND = {"electronic": ("电子普通发票", "electronic invoice"), "paper": ("纸质发票", "paper invoice"),
        "vat_special": ("增值税专用发票", "VAT special invoice")}


class ActionInvoice(OrderTopicAction):
    def name(self) -> str:
        return "action_invoice"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if order.status in ("cancelled", "pending_payment"):
            dispatcher.utter_message(text=pick(lang, f"订单 {order.id} 未付款或已取消，不能开发票。",
                                               f"Order {order.id} is unpaid or cancelled, so no invoice can be issued."))
            return []
        invoice = order.invoices[-1] if order.invoices else None
        if invoice is None:
            dispatcher.utter_message(text=pick(
                lang, f"订单 {order.id} 还没有申请发票。请在订单详情页点“申请开票”，填写抬头（个人或公司名称）和税号（公司必填），"
                      "电子发票一般 1–3 个工作日开具并发送到您的邮箱；增值税专用发票需要提供完整的开票资料。",
                f"No invoice has been requested for order {order.id}. Use \"Request invoice\" on the order page with the title "
                "(your name or company) and tax ID (companies); electronic invoices are issued within 1–3 business days and emailed to you. "
                "A VAT special invoice needs the company's full billing details."))
            return []
        k_zh, k_en = KIND.get(invoice.kind, (invoice.kind, invoice.kind))
        if invoice.status == "issued":
            where = pick(lang, f"已发送到 {invoice.email}" if invoice.email else "可在订单详情页下载",
                         f"sent to {invoice.email}" if invoice.email else "downloadable from the order page")
            text = pick(lang, f"订单 {order.id} 的{k_zh}（抬头：{invoice.title}）已于 {day(invoice.issued_at, lang)} 开具，{where}。",
                        f"The {k_en} for order {order.id} (title: {invoice.title}) was issued on {day(invoice.issued_at, lang)}, {where}.")
        elif invoice.status == "requested":
            text = pick(lang, f"订单 {order.id} 的{k_zh}已于 {day(invoice.requested_at, lang)} 申请，正在开具，一般 1–3 个工作日完成。",
                        f"The {k_en} for order {order.id} was requested on {day(invoice.requested_at, lang)} and is being issued (usually 1–3 business days).")
        else:
            text = pick(lang, f"订单 {order.id} 的发票申请未通过，可能是开票信息有误，请核对抬头和税号后重新申请，或说“转人工”。",
                        f"The invoice request for order {order.id} was rejected, probably due to wrong details. Please check the title and tax ID "
                        "and request again, or say \"talk to a human\".")
        dispatcher.utter_message(text=text)
        return []
