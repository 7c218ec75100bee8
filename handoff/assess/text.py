"""Text normalisation (width, traditional→simplified, case, spacing) and char n-gram similarity."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _t2s() -> _Converter:
    from opencc import OpenCC  # pure-python dictionaries; loaded once, on first use

    converter: _Converter = OpenCC("t2s")
    return converter


_CJK = r"\u3400-\u9fff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_MULTISPACE = re.compile(r"\s+")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters → simplified (other text untouched)."""
    return _t2s().convert(text)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Form used by all keyword rules: NFKC (full-width → ASCII), simplified, lower case, CJK spacing removed."""
    out = unicodedata.normalize("NFKC", text)
    out = to_simplified(out).lower()
    out = _SPACE_BETWEEN_CJK.sub("", out)
    out = out.replace("’", "'").replace("‘", "'")
    return _MULTISPACE.sub(" ", out).strip()


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
