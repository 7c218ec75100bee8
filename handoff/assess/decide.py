"""The handoff decision: assess(conversation, customer, orders, config) → Decision. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from shoptext import strip_placeholders

from .config import HandoffConfig
from .emotion import EmotionScorer, LexiconScorer, combine, cue_features
from .records import REASON_CODES, Customer, Decision, Message, Order, Reason
from .rules import (
    Turn,
    anger_reason,
    bot_failure_reason,
    fact_reasons,
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
    first of them) are read. `scorer` gives P(angry at the shop) per message; without one the
    keyword fallback is used. Facts the bot reported on a customer turn (`Message.facts`) count
    as the reason `config.bot_facts` maps them to.
    """
    scorer = scorer or LexiconScorer()
    customer_positions = [i for i, m in enumerate(conversation) if m.role == "customer"]
    window = customer_positions[-config.lookback_customer_messages :]
    start = window[0] if window else len(conversation)
    turns = [Turn(i, conversation[i].text, normalise(strip_placeholders(conversation[i].text)), conversation[i].facts)
             for i in window]

    p_model = scorer.score([t.text for t in turns]) if turns else []
    cues = [cue_features(t.text, config.anger.swearing) for t in turns]
    anger_scores = [combine(p, c, config.anger.swearing_weight) for p, c in zip(p_model, cues, strict=True)]

    from_facts = fact_reasons(turns, config.bot_facts)
    explicit = keyword_reason("explicit_human", "asks for a person", turns, config.explicit_human)
    threat = keyword_reason("complaint_threat", "threatens a complaint or bad review", turns, config.complaint_threat)
    explained = frozenset(i for r in (explicit, threat) if r for i in r.message_indexes)
    found: list[Reason | None] = [
        explicit,
        anger_reason(turns, anger_scores, cues, config.anger, explained),
        threat,
        judgement_reason(
            turns,
            {"compensation or exception": config.compensation, "after-sales or liability dispute": config.liability,
             "safety": config.safety},
        ),
        bot_failure_reason(conversation, start, config.bot_failure),
    ]
    reasons = _merge([r for r in found if r], from_facts)
    value = high_value_reason(turns, customer, orders, config.high_value, trouble=bool(reasons))
    if value:
        reasons.append(value)
    ordered = tuple(sorted(reasons, key=lambda r: REASON_CODES.index(r.code)))
    scores: dict[str, float | list[float]] = {
        "anger": round(max(anger_scores, default=0.0), 4),
        "emotion_trajectory": [round(s, 4) for s in anger_scores],
        "emotion_model": [round(p, 4) for p in p_model],
        "intensity": [round(c.intensity, 4) for c in cues],
        "max_order_amount": max((o.amount for o in orders), default=0.0),
    }
    return Decision(handoff=bool(ordered), reasons=ordered, scores=scores)


def _merge(found: list[Reason], from_facts: dict[str, Reason]) -> list[Reason]:
    """Rule reasons plus fact reasons; when both name a code, the messages are joined."""
    by_code = {r.code: r for r in found}
    for fact in from_facts.values():
        rule = by_code.get(fact.code)
        if rule is None:
            by_code[fact.code] = fact
            continue
        pairs = dict(zip(rule.message_indexes, rule.message_texts, strict=True))
        pairs.update(zip(fact.message_indexes, fact.message_texts, strict=True))
        ordered = sorted(pairs)
        by_code[fact.code] = Reason(rule.code, f"{rule.explanation}; {fact.explanation}", tuple(ordered),
                                    tuple(pairs[i] for i in ordered))
    return list(by_code.values())
