"""The handoff decision: assess(conversation, customer, orders, config) → Decision. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from .config import HandoffConfig
from .emotion import EmotionScorer, LexiconScorer, combine, cue_features
from .records import REASON_CODES, Customer, Decision, Message, Order, Reason
from .rules import (
    Turn,
    anger_reason,
    bot_failure_reason,
    high_value_reason,
    judgement_reason,
    keyword_reason,
)
from .text import normalise


def assess(
    conversation: Sequence[Message],
    customer: Customer | None = None,
    orders: Sequence[Order] = (),
    *,
    config: HandoffConfig,
    scorer: EmotionScorer | None = None,
) -> Decision:
    """Decide whether a human should take the conversation over, and explain why.

    Only the last `lookback_customer_messages` customer messages (and the bot turns since the
    first of them) are read. `scorer` gives P(angry) per message; without one the keyword
    fallback is used.
    """
    scorer = scorer or LexiconScorer()
    customer_positions = [i for i, m in enumerate(conversation) if m.role == "customer"]
    window = customer_positions[-config.lookback_customer_messages :]
    start = window[0] if window else len(conversation)
    turns = [Turn(i, conversation[i].text, normalise(conversation[i].text)) for i in window]

    p_model = scorer.score([t.text for t in turns]) if turns else []
    cues = [cue_features(t.text, config.anger.swearing) for t in turns]
    anger_scores = [combine(p, c, config.anger.intensity_weight) for p, c in zip(p_model, cues, strict=True)]

    found: list[Reason | None] = [
        keyword_reason("explicit_human", "asks for a person", turns, config.explicit_human),
        anger_reason(turns, anger_scores, config.anger),
        keyword_reason("complaint_threat", "threatens a complaint or bad review", turns, config.complaint_threat),
        judgement_reason(
            turns,
            {"compensation or exception": config.compensation, "liability dispute": config.liability, "safety": config.safety},
        ),
        high_value_reason(turns, customer, orders, config.high_value),
        bot_failure_reason(conversation, start, config.bot_failure),
    ]
    reasons = tuple(sorted((r for r in found if r), key=lambda r: REASON_CODES.index(r.code)))
    scores: dict[str, float | list[float]] = {
        "anger": round(max(anger_scores, default=0.0), 4),
        "emotion_trajectory": [round(s, 4) for s in anger_scores],
        "emotion_model": [round(p, 4) for p in p_model],
        "intensity": [round(c.intensity, 4) for c in cues],
        "max_order_amount": max((o.amount for o in orders), default=0.0),
    }
    return Decision(handoff=bool(reasons), reasons=reasons, scores=scores)
