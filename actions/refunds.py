"""Refund status: amount breakdown, normal timeline, bank timing; an overdue refund goes to a human."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, money
from actions.handoff import start_handoff
from actions.policies import refund_view
from actions.topic import OrderTopicAction
from actions.wording import label, say
from shop.records import OrderRecord, RefundRecord


def say_refund_timing(dispatcher: CollectingDispatcher, method: str, expected_by: datetime | None, lang: str) -> None:
    """Normal timeline by payment method (banks differ), with the latest expected date when known."""
    response = "utter_refund_timing_bank" if method == "bank_card" else "utter_refund_timing_fast"
    if expected_by is not None:
        say(dispatcher, response + "_by", method=label("method", method, lang), refund_method=method,
            date=day(expected_by, lang))
    else:
        say(dispatcher, response, method=label("method", method, lang), refund_method=method)


def say_refund(dispatcher: CollectingDispatcher, order: OrderRecord, refund: RefundRecord, lang: str) -> None:
    method = label("method", refund.method, lang)
    if refund.bank_name:
        method += f"（{refund.bank_name}）" if lang == "zh" else f" ({refund.bank_name})"
    say(dispatcher, "utter_refund", order_id=order.id, total=money(refund.total), item=money(refund.item_amount),
        shipping=money(refund.shipping_amount), coupon=money(refund.coupon_deduction),
        status=label("refund", refund.status, lang), refund_status=refund.status, method=method,
        refund_method=refund.method)


class ActionRefundStatus(OrderTopicAction):
    def name(self) -> str:
        return "action_refund_status"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        if not order.refunds:
            say(dispatcher, "utter_refund_none", order_id=order.id)
            return []
        now = services.shop.now()
        late = []
        for refund in order.refunds:
            view = refund_view(refund, now)
            say_refund(dispatcher, order, refund, lang)
            if refund.status == "paid" and refund.paid_at:
                where = "bank_card" if refund.method == "bank_card" else "other"
                say(dispatcher, "utter_refund_paid_out", date=day(refund.paid_at, lang),
                    where=label("statement", where, lang))
            elif refund.status != "rejected":
                say_refund_timing(dispatcher, refund.method, view.expected_by, lang)
            if view.late:
                late.append(refund)
        if late:
            say(dispatcher, "utter_refund_late", order_id=order.id)
            detail = "; ".join(f"refund {r.id} {money(r.total)} expected by {r.expected_by}" for r in late)
            return start_handoff(dispatcher, tracker, "late_refund", f"overdue refund on {order.id}: {detail}")
        return []
