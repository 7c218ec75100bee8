"""Which language a customer writes in: "zh", "en", or None when the text carries no evidence."""

from __future__ import annotations

import re

from shoptext.ids import ORDER_ID

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_NOT_EVIDENCE = re.compile(r"\[[^\]]{1,8}\]|(?:https?://|www\.)\S+", re.IGNORECASE)


def detect_language(text: str) -> str | None:
    """"zh", "en" or None (no evidence: digits, emoji, placeholders, an intent payload such as "/affirm").

    Any CJK character makes the message Chinese unless Latin words clearly dominate
    ("我的order" is zh; "where is my parcel 谢谢" is en). Order ids, links and anonymisation
    placeholders are not language evidence.
    """
    if not text or text.startswith("/"):
        return None
    cleaned = ORDER_ID.sub(" ", _NOT_EVIDENCE.sub(" ", text))
    cjk = len(_CJK.findall(cleaned))
    latin_words = len(_LATIN_WORD.findall(cleaned))
    if cjk == 0:
        return "en" if latin_words else None
    return "en" if latin_words >= 3 and latin_words >= 2 * cjk else "zh"


def language_or(text: str, default: str = "zh") -> str:
    """`detect_language`, with a default when the text carries no evidence."""
    return detect_language(text) or default
