"""One pure detector per reason code; each returns a Reason with its triggering messages, or None."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .config import AngerConfig, BotFailureConfig, HighValueConfig, PatternSet
from .emotion import Cues
from .matching import find_matches
from .records import Customer, Message, Order, Reason, ReasonCode
from .text import char_ngrams, content_chars, jaccard, normalise


@dataclass(frozen=True)
class Turn:
    """A customer message inside the look-back window, with its position in the conversation."""

    index: int
    text: str
    normalised: str
    facts: tuple[str, ...] = ()


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


def fact_reasons(turns: Sequence[Turn], bot_facts: Mapping[str, str]) -> dict[str, Reason]:
    """Reasons from facts the bot reported in structured metadata (e.g. its NLU found a request for a person)."""
    out: dict[str, Reason] = {}
    for code in dict.fromkeys(bot_facts.values()):
        facts = [f for f, c in bot_facts.items() if c == code]
        hits = [t for t in turns if any(f in t.facts for f in facts)]
        if hits:
            named = sorted({f for t in hits for f in t.facts if f in facts})
            out[code] = Reason(code, f"the bot reported: {', '.join(named)}",  # type: ignore[arg-type]
                               tuple(t.index for t in hits), tuple(t.text for t in hits))
    return out


def judgement_reason(turns: Sequence[Turn], groups: dict[str, PatternSet]) -> Reason | None:
    """needs_judgement: compensation/exception, an after-sales or liability dispute, or safety, named in the explanation."""
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


def anger_reason(turns: Sequence[Turn], scores: Sequence[float], cues: Sequence[Cues], cfg: AngerConfig,
                 explained: frozenset[int] = frozenset()) -> Reason | None:
    """Anger from one strong message, a real rise over several turns, or repeated upset messages.

    `scores` are calibrated: 0.8 means about four in five such messages are angry at the shop.
    A strong message already explained by a stronger reason (`explained`: conversation indexes of messages
    that asked for a person or threatened a complaint) is not counted again as anger: its emotion still
    shows in the trajectory and raises the queue priority.
    """
    if not turns:
        return None
    strong = [i for i, s in enumerate(scores) if s >= cfg.threshold and turns[i].index not in explained]
    if strong:
        peak = max(strong, key=lambda i: scores[i])
        return _pick("anger", f"angry message (score {scores[peak]:.2f} ≥ {cfg.threshold}{_why(cues[peak])})", turns, strong)
    rise = _rise(scores, cfg)
    if rise:
        first, last = rise
        return _pick("anger", f"anger rising over {last - first + 1} turns ({scores[first]:.2f} → {scores[last]:.2f})",
                     turns, list(range(first, last + 1)))
    upset = [i for i, s in enumerate(scores) if s >= cfg.persistent_min_score]
    if len(upset) >= cfg.persistent_min_messages:
        return _pick("anger", f"repeated frustration: {len(upset)} upset messages (≥ {cfg.persistent_min_score})", turns, upset)
    return None


def _rise(scores: Sequence[float], cfg: AngerConfig) -> tuple[int, int] | None:
    """(first, last) of a rise ending at the newest turn: at least `rising_min_turns` turns, never falling back."""
    last = len(scores) - 1
    if last + 1 < cfg.rising_min_turns or scores[last] < cfg.rising_min_last:
        return None
    first = last
    while first > 0 and scores[first - 1] <= scores[first] + 0.05:
        first -= 1
    if last - first + 1 < cfg.rising_min_turns or scores[last] - scores[first] < cfg.rising_min_increase:
        return None
    return first, last


def _why(cues: Cues) -> str:
    return f"; insult or swearing: {', '.join(repr(t) for t in cues.swear_terms[:3])}" if cues.swear_terms else ""


def high_value_reason(turns: Sequence[Turn], customer: Customer | None, orders: Sequence[Order],
                      cfg: HighValueConfig, trouble: bool) -> Reason | None:
    """The practitioners' value policy.

    - A pre-sales question about high-ticket goods (choosing, comparing, negotiating, delivery or installation
      before buying) goes to a skilled human; a question about an item already bought does not.
    - A VIP of a listed tier, a big order (≥ amount) or a high-ticket order goes to a human only when there is
      trouble (another reason, or a problem such as a delay, damage or a refund issue), and then at top priority.
    `trouble` says whether another reason already fired.
    """
    parts: list[str] = []
    indexes: list[Turn] = []
    pre_sales = [t for t in turns if find_matches(t.normalised, cfg.high_ticket_goods)
                 and (find_matches(t.normalised, cfg.pre_sales) or not find_matches(t.normalised, cfg.after_purchase))]
    if pre_sales:
        goods = sorted({w for t in pre_sales for w in find_matches(t.normalised, cfg.high_ticket_goods)})
        parts.append(f"pre-sales question on high-ticket goods: {', '.join(repr(g) for g in goods[:3])}")
        indexes += pre_sales
    problems = [t for t in turns if find_matches(t.normalised, cfg.problem)]
    if trouble or problems:
        why = "with trouble" if trouble else \
            f"with a problem: {', '.join(repr(w) for w in find_matches(problems[0].normalised, cfg.problem)[:2])}"
        valued = _valuable_customer(customer, orders, cfg, why)
        if valued:
            parts += valued
            indexes += problems
    if not parts:
        return None
    chosen = sorted({t.index: t for t in indexes}.values(), key=lambda t: t.index)
    return Reason("high_value", "; ".join(parts), tuple(t.index for t in chosen), tuple(t.text for t in chosen))


def _valuable_customer(customer: Customer | None, orders: Sequence[Order], cfg: HighValueConfig, why: str) -> list[str]:
    parts = []
    if customer and customer.vip_tier and customer.vip_tier.lower() in cfg.vip_tiers:
        parts.append(f"VIP tier {customer.vip_tier} {why}")
    big = [o for o in orders if o.amount >= cfg.amount_threshold]
    if big:
        top = max(big, key=lambda o: o.amount)
        parts.append(f"order {top.id} amount {top.amount:g} ≥ {cfg.amount_threshold:g} {why}")
    ticket = [o for o in orders if o.category and o.category.lower() in cfg.high_ticket_categories and o not in big]
    if ticket:
        parts.append(f"high-ticket order {ticket[0].id} ({ticket[0].category}) {why}")
    return parts


def bot_failure_reason(messages: Sequence[Message], start: int, cfg: BotFailureConfig) -> Reason | None:
    """Too many bot turns flagged as fallback (structured metadata), or the customer repeating a question."""
    fallbacks = [i for i in range(start, len(messages)) if messages[i].role == "bot" and messages[i].fallback]
    if len(fallbacks) >= cfg.min_fallbacks:
        texts = tuple(messages[i].text for i in fallbacks)
        return Reason("bot_failure", f"{len(fallbacks)} fallback bot replies (≥ {cfg.min_fallbacks})", tuple(fallbacks), texts)
    missed = [i for i in range(start + 1, len(messages)) if messages[i].role == "customer"
              and any(messages[k].role == "bot" for k in range(start, i))
              and find_matches(normalise(messages[i].text), cfg.misunderstood)]
    if missed:
        words = find_matches(normalise(messages[missed[0]].text), cfg.misunderstood)
        return Reason("bot_failure", f"customer says the bot missed the question: {', '.join(repr(w) for w in words[:2])}",
                      tuple(missed), tuple(messages[i].text for i in missed))
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
