"""Customer-text language for the KB: ``shoptext.detect_language`` with a default when there is no evidence."""

from __future__ import annotations

from kb.records import Lang
from shoptext import detect_language


def detect_lang(text: str, default: Lang = "zh") -> Lang:
    """"zh" or "en" as the shared detector says; ``default`` when the text carries no evidence."""
    found = detect_language(text)
    return "en" if found == "en" else "zh" if found == "zh" else default
