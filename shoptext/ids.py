"""The shop's order-id format (E + 10 digits), in one place."""

from __future__ import annotations

import re

CANONICAL_ORDER_ID = r"E\d{10}"  # as stored: full match
ORDER_ID_PATTERN = r"(?<![A-Za-z0-9])[Ee]\d{10}(?!\d)"  # as customers type it, inside text
ORDER_ID = re.compile(ORDER_ID_PATTERN)


def find_order_ids(text: str) -> list[str]:
    """Order ids in the order they appear, upper-cased, without repeats."""
    seen: list[str] = []
    for match in ORDER_ID.findall(text or ""):
        oid = match.upper()
        if oid not in seen:
            seen.append(oid)
    return seen
