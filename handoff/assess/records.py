"""Frozen records crossing the decision boundary: conversation input and the Decision output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["customer", "bot", "agent"]
ROLES: tuple[str, ...] = ("customer", "bot", "agent")

ReasonCode = Literal["explicit_human", "anger", "complaint_threat", "needs_judgement", "high_value", "bot_failure"]
REASON_CODES: tuple[str, ...] = (
    "explicit_human",
    "anger",
    "complaint_threat",
    "needs_judgement",
    "high_value",
    "bot_failure",
)


# Facts the bot reports in structured metadata (never recognised from its wording):
# requested_human (NLU: the customer asked for a person), complaint (NLU: a complaint), beyond_authority
# (the action cannot grant what is asked), late_refund (a refund past its deadline), bot_failed (the bot
# gave up answering after repeated misses).
FACTS: tuple[str, ...] = ("requested_human", "complaint", "beyond_authority", "late_refund", "bot_failed")


@dataclass(frozen=True)
class Message:
    """One turn of the conversation; `fallback` marks a bot turn that did not understand.

    `facts` are what the bot established about a customer turn (see FACTS).
    """

    role: Role
    text: str
    fallback: bool = False
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Customer:
    """The customer's profile as far as the decision needs it."""

    id: str | None = None
    vip_tier: str | None = None


@dataclass(frozen=True)
class Order:
    """An order of the customer; `category` is optional (e.g. "furniture")."""

    id: str
    amount: float
    status: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a conversation should go to a human, with the messages that triggered it."""

    code: ReasonCode
    explanation: str
    message_indexes: tuple[int, ...] = ()
    message_texts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form used by the CLI and the bridge."""
        return {
            "code": self.code,
            "explanation": self.explanation,
            "messages": [{"index": i, "text": t} for i, t in zip(self.message_indexes, self.message_texts, strict=True)],
        }


@dataclass(frozen=True)
class Decision:
    """Outcome of `assess`: hand off or not, the reasons, and the numbers behind them."""

    handoff: bool
    reasons: tuple[Reason, ...]
    scores: dict[str, float | list[float]] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """Reason codes in order."""
        return tuple(r.code for r in self.reasons)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form used by the CLI and the bridge."""
        return {"handoff": self.handoff, "reasons": [r.to_dict() for r in self.reasons], "scores": dict(self.scores)}
