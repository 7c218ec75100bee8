"""Pure dialogue-state decisions: which order a follow-up is about, "the other one", and how a
customer answered the bot's yes/no question (buttons and free text alike)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from actions.policies import TOPIC_STATUSES
from shop.records import OrderRecord
from shoptext import normalise

# Topics any order can be asked about: a follow-up on them always means the current order.
ANY_ORDER_TOPICS = frozenset({"status", "track", "refund", "invoice"})

# Intent that asks about each order topic (buttons for "which other order?" carry it).
TOPIC_INTENT = {
    "status": "order_status", "track": "track_parcel", "cancel": "cancel_order", "address": "change_address",
    "return": "return_goods", "exchange": "exchange_goods", "refund": "refund_status", "invoice": "invoice",
}


def reuse_current_order(current: OrderRecord | None, topic: str | None, names_another_order: bool) -> bool:
    """Whether an order question without an order number is about the order the conversation is on.

    It is, unless the customer names another order's product or the current order cannot be what
    the topic is about (a return of a parcel still on its way means another order).
    """
    if current is None or names_another_order:
        return False
    if topic is None or topic in ANY_ORDER_TOPICS:
        return True
    wanted = TOPIC_STATUSES.get(topic)
    return wanted is None or current.status in wanted


def other_orders(offered: Sequence[str], current: str | None) -> list[str]:
    """'The other one': the orders of the last choice except the one just discussed."""
    seen: list[str] = []
    for order_id in offered:
        if order_id != current and order_id not in seen:
            seen.append(order_id)
    return seen


Answer = Literal["yes", "no", "unclear"]

# "No" wins over everything: 不取消了 / 先不换 / keep it are refusals whatever the classifier says.
_NO = re.compile(
    r"不取消|别取消|不要|先不|算了|不用|不换|别换|留着|保留|再想想|不了|不行|不可以|不好|不是|不对|"
    r"\bno\b|\bnope\b|don't|do not|not now|keep (it|the)|never ?mind|leave it", re.I)
_YES = re.compile(r"确认|确定|是的|对的|好的|好|可以|行|嗯|取消吧|取消掉|换吧|\byes\b|\bsure\b|\bok(ay)?\b|go ahead|please do",
                  re.I)


def confirmation_answer(intent: str | None, text: str) -> Answer:
    """How the customer answered "shall I …?": a refusal in the words wins, then the intent, then yes-words."""
    words = normalise(text or "")
    if intent == "deny" or _NO.search(words):
        return "no"
    if intent == "affirm" or _YES.search(words):
        return "yes"
    return "unclear"


def previous_answer(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The bot action that answered the turn before the latest user message (None at the start)."""
    before_user = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if before_user:
                return None
            before_user = True
        elif kind == "action" and before_user and event.get("name") not in ("action_listen", None):
            return str(event["name"])
    return None
