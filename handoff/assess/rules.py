"""One pure detector per reason code; each returns a Reason with its triggering messages, or None."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import AngerConfig, BotFailureConfig, HighValueConfig, PatternSet
from .matching import find_matches
from .records import Customer, Message, Order, Reason, ReasonCode
from .text import char_ngrams, content_chars, jaccard, normalise


@dataclass(frozen=True)
class Turn:
    """A customer message inside the look-back window, with its position in the conversation."""

    index: int
    text: str
    normalised: str


def keyword_reason(code: ReasonCode, what: str, turns: Sequence[Turn], patterns: PatternSet) -> Reason | None:
    """Reason naming every turn in which the patterns match (and the matched words)."""
    hits = [(t, find_matches(t.normalised, patterns)) for t in turns]
    hits = [(t, m) for t, m in hits if m]
    if not hits:
        return None
    words = sorted({w for _, m in hits for w in m})
    return Reason(
        code=code,
        explanation=f"{what}: {', '.join(repr(w) for w in words[:5])}",
        message_indexes=tuple(t.index for t, _ in hits),
        message_texts=tuple(t.text for t, _ in hits),
    )


def judgement_reason(turns: Sequence[Turn], groups: dict[str, PatternSet]) -> Reason | None:
    """needs_judgement: compensation/exception, liability dispute or safety, named in the explanation."""
    parts: list[str] = []
    indexes: dict[int, str] = {}
    for label, patterns in groups.items():
        found = keyword_reason("needs_judgement", label, turns, patterns)
        if found:
            parts.append(found.explanation)
            indexes.update(zip(found.message_indexes, found.message_texts, strict=True))
    if not parts:
        return None
    ordered = sorted(indexes)
    return Reason("needs_judgement", "; ".join(parts), tuple(ordered), tuple(indexes[i] for i in ordered))


def anger_reason(turns: Sequence[Turn], scores: Sequence[float], cfg: AngerConfig) -> Reason | None:
    """Anger from a single strong message, a rising trajectory, or a repeated complaint."""
    if not turns:
        return None
    strong = [i for i, s in enumerate(scores) if s >= cfg.threshold]
    if strong:
        peak = max(scores[i] for i in strong)
        return _pick("anger", f"angry or distressed message (score {peak:.2f} ≥ {cfg.threshold})", turns, strong)
    last = scores[-1]
    if len(scores) >= 2 and last >= cfg.rising_min_last and last - min(scores[:-1]) >= cfg.rising_min_increase:
        first = scores.index(min(scores[:-1]))
        return _pick("anger", f"anger rising across turns ({scores[first]:.2f} → {last:.2f})", turns, [first, len(scores) - 1])
    upset = [i for i, s in enumerate(scores) if s >= cfg.persistent_min_score]
    if len(upset) >= cfg.persistent_min_messages:
        return _pick("anger", f"repeated complaint: {len(upset)} upset messages (≥ {cfg.persistent_min_score})", turns, upset)
    return None


def high_value_reason(
    turns: Sequence[Turn], customer: Customer | None, orders: Sequence[Order], cfg: HighValueConfig
) -> Reason | None:
    """VIP tier, an order at or above the amount threshold, a high-ticket category or high-ticket goods mentioned."""
    parts: list[str] = []
    if customer and customer.vip_tier and customer.vip_tier.lower() in cfg.vip_tiers:
        parts.append(f"VIP tier {customer.vip_tier}")
    big = [o for o in orders if o.amount >= cfg.amount_threshold]
    if big:
        top = max(big, key=lambda o: o.amount)
        parts.append(f"order {top.id} amount {top.amount:g} ≥ {cfg.amount_threshold:g}")
    ticket = [o for o in orders if o.category and o.category.lower() in cfg.high_ticket_categories]
    if ticket:
        parts.append(f"high-ticket order {ticket[0].id} ({ticket[0].category})")
    goods = keyword_reason("high_value", "high-ticket goods mentioned", turns, cfg.high_ticket_goods)
    if goods:
        parts.append(goods.explanation)
    if not parts:
        return None
    return Reason(
        "high_value",
        "; ".join(parts),
        goods.message_indexes if goods else (),
        goods.message_texts if goods else (),
    )


def bot_failure_reason(messages: Sequence[Message], start: int, cfg: BotFailureConfig) -> Reason | None:
    """Too many fallback bot turns, or the customer repeating a question the bot already answered."""
    fallbacks = [
        i
        for i in range(start, len(messages))
        if messages[i].role == "bot"
        and (messages[i].fallback or find_matches(normalise(messages[i].text), cfg.fallback_texts))
    ]
    if len(fallbacks) >= cfg.min_fallbacks:
        texts = tuple(messages[i].text for i in fallbacks)
        return Reason("bot_failure", f"{len(fallbacks)} fallback bot replies (≥ {cfg.min_fallbacks})", tuple(fallbacks), texts)
    pair = _repeated_question(messages, start, cfg)
    if pair:
        (a, b), sim = pair
        return Reason(
            "bot_failure",
            f"customer asked the same thing again after a bot reply (similarity {sim:.2f})",
            (a, b),
            (messages[a].text, messages[b].text),
        )
    return None


def _repeated_question(messages: Sequence[Message], start: int, cfg: BotFailureConfig) -> tuple[tuple[int, int], float] | None:
    customer = [
        i for i in range(start, len(messages))
        if messages[i].role == "customer" and len(content_chars(messages[i].text)) >= cfg.repeat_min_chars
    ]
    grams = {i: char_ngrams(messages[i].text, cfg.repeat_ngram) for i in customer}
    for pos, later in enumerate(customer):
        for earlier in customer[:pos]:
            bot_between = any(messages[k].role == "bot" for k in range(earlier + 1, later))
            sim = jaccard(grams[earlier], grams[later])
            if bot_between and sim >= cfg.repeat_min_jaccard:
                return (earlier, later), sim
    return None


def _pick(code: ReasonCode, explanation: str, turns: Sequence[Turn], positions: Sequence[int]) -> Reason:
    chosen = [turns[p] for p in sorted(set(positions))]
    return Reason(code, explanation, tuple(t.index for t in chosen), tuple(t.text for t in chosen))
