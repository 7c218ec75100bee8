"""Adapter to the pure handoff decision (handoff.assess): builds its inputs, normalises its output."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from handoff.clients.shop import CustomerInfo, OrderInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    role: str  # customer | bot | agent
    text: str
    fallback: bool = False
    facts: tuple[str, ...] = ()  # what the bot reported about this customer turn (handoff.assess.FACTS)


@dataclass(frozen=True)
class Verdict:
    """What the bridge keeps of a Decision: reasons as plain dicts (code, explanation, messages)."""

    handoff: bool
    reasons: tuple[dict[str, Any], ...]
    scores: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [str(r.get("code")) for r in self.reasons]


Assessor = Callable[[Sequence[Turn], CustomerInfo | None, Sequence[OrderInfo]], Verdict]

_EXPLICIT = re.compile(r"转人工|人工客服|找人工|真人|real person|human agent|talk to (a )?human", re.I)


def fallback_assessor(turns: Sequence[Turn], customer: CustomerInfo | None,
                      orders: Sequence[OrderInfo]) -> Verdict:
    """Used only when handoff.assess cannot be imported: explicit requests for a human, nothing else."""
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if turn.role == "customer":
            if _EXPLICIT.search(turn.text):
                return Verdict(True, ({"code": "explicit_human", "explanation": "customer asked for a person",
                                       "messages": [{"index": index, "text": turn.text}]},))
            break
    return Verdict(False, ())


def load_assessor() -> Assessor:
    """Bind handoff.assess with its YAML config (read once); fall back loudly if it is missing."""
    try:
        from handoff.assess import Customer, Message, Order, assess, load_config
        from handoff.assess.model import load_scorer
        from handoff.assess.paths import default_model_path
    except ImportError as exc:
        log.warning("handoff.assess unavailable (%s): only explicit requests for a human hand off", exc)
        return fallback_assessor
    config = load_config()
    scorer = load_scorer(default_model_path(), config.anger.swearing)  # lexicon fallback if no model file
    log.info("handoff decision loaded (emotion scorer: %s)", getattr(scorer, "name", type(scorer).__name__))

    def run(turns: Sequence[Turn], customer: CustomerInfo | None, orders: Sequence[OrderInfo]) -> Verdict:
        conversation = [Message(role=t.role, text=t.text, fallback=t.fallback, facts=t.facts)  # type: ignore[arg-type]
                        for t in turns if t.role in ("customer", "bot", "agent")]
        cust = Customer(id=customer["id"], vip_tier=customer["vip_tier"]) if customer else None
        ords = [Order(id=o["id"], amount=float(o["amount"]), status=o["status"], category=o["category"])
                for o in orders]
        decision = assess(conversation, cust, ords, config=config, scorer=scorer)
        return Verdict(bool(decision.handoff), tuple(r.to_dict() for r in decision.reasons),
                       dict(decision.scores))

    run([Turn("customer", "你好")], None, [])  # warm up: the emotion encoder loads lazily (~3 s)
    return run
