"""Pure rules used by the custom NLU components (no Rasa imports, unit-testable anywhere)."""

from __future__ import annotations

import re

# A token is kept when it has at least one letter, digit or CJK character.
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def keep_token(text: str) -> bool:
    """Whether a jieba token carries content (not only spaces or punctuation)."""
    return bool(_CONTENT.search(text))


def is_out_of_scope(best_in: float, best_oos: float, min_similarity: float, oos_margin: float) -> bool:
    """Reject when no in-scope example is close enough, or an out-of-scope one is clearly closer."""
    return best_in < min_similarity or best_oos - best_in > oos_margin


def has_shop_term(text: str, terms: list[str] | tuple[str, ...]) -> bool:
    """Whether the (cleaned, lower-cased) text names something only a shop conversation has.

    ``terms`` come from the ScopeGate config (config.yml); plain substrings, case-insensitive.
    """
    low = (text or "").lower()
    return any(term.lower() in low for term in terms)


def has_scope_entity(entities: list[dict[str, object]] | None, names: list[str] | tuple[str, ...]) -> bool:
    """Whether the message carries an entity that only shop questions have (e.g. an order number)."""
    return any(e.get("entity") in names for e in entities or [])


# Return reasons: the customer's own choice is checked first, so "拍错了" (ordered the wrong
# thing) is personal while "发错了" (the shop sent the wrong thing) is a quality problem.
_PERSONAL = re.compile(
    r"拍错|买错|下错|选错|买多|买重|不喜欢|不喜歡|不想要|不要了|不需要|不合适|不合身|不适合|尺码|大了|小了|"
    r"太大|太小|偏大|偏小|颜色不|跟想象|和想象|个人原因|改主意|"
    r"don'?t like|do not like|changed my mind|by mistake|wrong size|too (big|small|large|tight|loose)|"
    r"doesn'?t fit|does not fit|don'?t need|not what i expected|bought (it )?twice|personal",
    re.IGNORECASE,
)
_QUALITY = re.compile(
    r"质量|品質|品质|坏|壞|破|漏|瑕疵|发错|發錯|少发|漏发|假货|假的|开线|异味|臭|过期|烂|裂|脏|污|不能用|用不了|不工作|"
    r"残次|次品|掉色|起球|"
    r"broken|damaged|defective|faulty|doesn'?t work|does not work|not working|stopped working|wrong item|"
    r"quality|cracked|missing|torn|fake|expired|leak|scratch|stain|dirty|rotten",
    re.IGNORECASE,
)


def classify_return_reason(text: str) -> str | None:
    """Map a customer's words to the return-reason value `personal` or `quality` (None if unclear)."""
    if _PERSONAL.search(text):
        return "personal"
    if _QUALITY.search(text):
        return "quality"
    return None


Span = dict[str, object]


def _relocate(original: str, cleaned: str, entities: list[Span]) -> list[Span] | None:
    """Entities with start/end moved into ``cleaned``; None when a span's text did not survive."""
    from shoptext import to_simplified  # shared module; pure Python

    moved, cursor = [], 0
    for ent in sorted(entities, key=lambda e: int(e.get("start", 0))):  # type: ignore[call-overload]
        start, end = int(ent["start"]), int(ent["end"])  # type: ignore[call-overload]
        surface = original[start:end]
        for candidate in (surface, to_simplified(surface)):
            at = cleaned.find(candidate, cursor)
            if at >= 0:
                moved.append({**ent, "start": at, "end": at + len(candidate)})
                cursor = at + len(candidate)
                break
        else:
            return None
    return moved


def clean_message(text: str, entities: list[Span] | None = None) -> tuple[str, list[Span]]:
    """``shoptext.clean_chat`` for the NLU, keeping order ids verbatim and entity spans aligned.

    Intent payloads ("/affirm") are left alone. Order ids (E + 10 digits) are cut out before
    cleaning and put back unchanged (cleaning shortens runs of one character, e.g. "00000").
    If an annotated span's text does not survive cleaning, the message is left as it was.
    """
    from shoptext import ORDER_ID, clean_chat

    entities = list(entities or [])
    if not text or text.startswith("/"):
        return text, entities
    parts = ORDER_ID.split(text)
    ids = ORDER_ID.findall(text)
    if ids:
        cleaned_parts = [clean_chat(p) if p.strip() else p for p in parts]
        cleaned = "".join(c + (f" {ids[i]} " if i < len(ids) else "") for i, c in enumerate(cleaned_parts))
        cleaned = re.sub(r"\s+", " ", cleaned).strip()
    else:
        cleaned = clean_chat(text)
    if cleaned == text:
        return text, entities
    moved = _relocate(text, cleaned, entities)
    if moved is None:
        return text, entities
    return cleaned, moved
