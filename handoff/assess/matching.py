"""Apply a configured PatternSet to normalised text: blank the excluded spans, return the matched ones."""

from __future__ import annotations

from .config import PatternSet

_BLANK = "\u2002"  # en space: breaks adjacency without joining the words on either side


def blank_excluded(text: str, patterns: PatternSet) -> str:
    """Replace every span matched by an exclude pattern with blanks of the same length."""
    for rx in patterns.exclude:
        text = rx.sub(lambda m: _BLANK * len(m.group(0)), text)
    return text


def find_matches(normalised: str, patterns: PatternSet) -> list[str]:
    """Spans matched by the include patterns after exclusion (empty list → no match)."""
    text = blank_excluded(normalised, patterns)
    found: list[str] = []
    for rx in patterns.include:
        found.extend(m.group(0).strip() for m in rx.finditer(text) if m.group(0).strip())
    return found
