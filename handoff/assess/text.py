"""Keyword-rule text form (from shoptext) and char n-gram similarity for repeated-question detection."""

from __future__ import annotations

import re

from shoptext import normalise, to_simplified

__all__ = ["char_ngrams", "content_chars", "jaccard", "normalise", "to_simplified"]

_CJK = r"\u3400-\u9fff"
_NON_CONTENT = re.compile(rf"[^0-9a-z{_CJK}]+")


def content_chars(text: str) -> str:
    """Normalised text with punctuation and spaces removed (for near-duplicate detection)."""
    return _NON_CONTENT.sub("", normalise(text))


def char_ngrams(text: str, n: int) -> frozenset[str]:
    """Set of character n-grams of the content characters (the whole string if shorter than n)."""
    chars = content_chars(text)
    if len(chars) < n:
        return frozenset({chars}) if chars else frozenset()
    return frozenset(chars[i : i + n] for i in range(len(chars) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)
