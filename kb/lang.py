"""Detect whether a customer's text is Chinese or English (mixed text with any CJK counts as Chinese)."""

from __future__ import annotations

import re

from kb.records import Lang

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def detect_lang(text: str, default: Lang = "zh") -> Lang:
    """"zh" if the text holds any Han character, "en" if it holds Latin letters, else ``default``."""
    if _HAN.search(text):
        return "zh"
    if re.search(r"[A-Za-z]", text):
        return "en"
    return default


def has_cjk(text: str) -> bool:
    """True when the text contains CJK characters or full-width punctuation."""
    return bool(_CJK.search(text))
