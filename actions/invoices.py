"""Invoices: status of the order's invoice, or how to request one."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day
from actions.topic import OrderTopicAction
from actions.wording import label, say
from shop.records import OrderRecord


class ActionInvoice(OrderTopicAction):
    def name(self) -> str:
        return "action_invoice"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if order.status in ("cancelled", "pending_payment"):
            say(dispatcher, "utter_invoice_not_allowed", order_id=order.id, order_status=order.status)
            return []
        invoice = order.invoices[-1] if order.invoices else None
        if invoice is None:
            say(dispatcher, "utter_invoice_none", order_id=order.id)
            return []
        kind = label("invoice", invoice.kind, lang)
        facts: dict[str, Any] = {"order_id": order.id, "kind": kind, "invoice_kind": invoice.kind, "invoice_status": invoice.status}
        if invoice.status == "issued":
            date = day(invoice.issued_at, lang)
            if invoice.email:
                say(dispatcher, "utter_invoice_issued_email", title=invoice.title, date=date, email=invoice.email, **facts)
            else:
                say(dispatcher, "utter_invoice_issued_download", title=invoice.title, date=date, **facts)
        elif invoice.status == "requested":
            say(dispatcher, "utter_invoice_requested", date=day(invoice.requested_at, lang), **facts)
        else:
            say(dispatcher, "utter_invoice_rejected", **facts)
        return []
