"""Returns and exchanges: 7-day eligibility from delivery, excluded goods, photos, steps and timeline."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.common import day, join
from actions.insurance import ask_return_reason, say_postage
from actions.policies import ReturnEligibility, return_eligibility
from actions.topic import OrderTopicAction
from actions.wording import label, say
from shop.records import OrderRecord


def excluded_text(eligibility: ReturnEligibility, lang: str) -> str:
    return join([label("special", s, lang) for s in eligibility.excluded], lang)


class _ReturnLike(OrderTopicAction):
    kind = "return"

    @abstractmethod
    def name(self) -> str:
        """Set by the concrete action."""

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderRecord,
               services: Services, lang: str) -> list[EventType]:
        elig = return_eligibility(order, services.shop.now())
        facts: dict[str, Any] = {"order_id": order.id, "what": label("kind", self.kind, lang), "kind": self.kind,
                 "eligibility": elig.reason}
        if elig.reason == "not_delivered":
            say(dispatcher, "utter_return_not_delivered", **facts)
            return []
        if elig.reason == "cancelled":
            say(dispatcher, "utter_return_cancelled", **facts)
            return []
        if elig.reason == "already_requested" and self.kind == "return":
            req = next(r for r in reversed(order.returns) if r.kind == "return")
            say(dispatcher, "utter_return_already_requested", request_id=req.id, status=req.status, **facts)
            return []
        delivered, deadline = day(order.delivered_at, lang), day(elig.deadline, lang)
        if elig.reason == "excluded":
            say(dispatcher, "utter_return_excluded", goods=excluded_text(elig, lang), excluded=list(elig.excluded),
                **facts)
        elif elig.reason == "window_passed":
            say(dispatcher, "utter_return_window_passed", delivered=delivered, deadline=deadline, **facts)
        else:
            say(dispatcher, "utter_return_eligible", delivered=delivered, deadline=deadline, **facts)
            say(dispatcher, f"utter_{self.kind}_steps")
        reason = tracker.get_slot("return_reason")
        if reason in ("quality", "personal"):
            say_postage(dispatcher, reason, order)
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
