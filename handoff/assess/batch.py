"""Batch mode: JSON lines of conversations in, JSON lines of decisions out (for checking a rule change)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .config import HandoffConfig
from .decide import assess
from .emotion import EmotionScorer
from .payload import PayloadError, parse_conversation
from .records import Decision, Message


def last_customer_index(messages: tuple[Message, ...] | list[Message]) -> int | None:
    """Position of the newest customer message, or None."""
    return next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "customer"), None)


def new_reason_codes(decision: Decision, last: int | None) -> list[str]:
    """Reason codes the newest customer message triggered (it is among the reason's messages)."""
    if last is None:
        return []
    return [r.code for r in decision.reasons if last in r.message_indexes]


def assess_lines(lines: Iterable[str], *, config: HandoffConfig, scorer: EmotionScorer) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order; a bad line gives an `error` object, not an abort.

    Input: `{"id"?: any, "messages": [...], "customer"?: {...}, "orders"?: [...]}` per line (the one-conversation
    payload of `python -m handoff assess`). Output: `{"id", "line", "handoff", "reasons", "new_reasons", "scores"}`,
    where `new_reasons` are the codes the newest customer message triggered.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line": number, "error": {"code": "bad_json", "message": f"column {exc.colno}: {exc.msg}"}}
            continue
        ident = data.get("id") if isinstance(data, dict) else None
        try:
            conv = parse_conversation(data)
        except PayloadError as exc:
            yield {"id": ident, "line": number, "error": {"code": "bad_request", "message": str(exc), "field": exc.field}}
            continue
        decision = assess(conv.messages, conv.customer, conv.orders, config=config, scorer=scorer)
        out: dict[str, Any] = {"id": ident, "line": number, **decision.to_dict()}
        out["new_reasons"] = new_reason_codes(decision, last_customer_index(conv.messages))
        yield out
