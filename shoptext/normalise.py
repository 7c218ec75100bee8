"""The form keyword rules match on: NFKC width folding, traditional → simplified, lower case, CJK spacing removed."""

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


CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK_RANGE}])\s+(?=[{CJK_RANGE}])")
_MULTISPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    """Traditional Chinese characters → simplified (other text untouched)."""
    return _t2s().convert(text) if text else text


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), simplified, lower case, curly quotes straight, no spaces between CJK."""
    out = unicodedata.normalize("NFKC", text or "")
    out = to_simplified(out).lower().translate(_QUOTES)
    out = _SPACE_BETWEEN_CJK.sub("", out)
    return _MULTISPACE.sub(" ", out).strip()
