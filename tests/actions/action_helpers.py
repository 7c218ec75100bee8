"""Helpers for action tests: the fixed clock, tracker builder, message and event inspection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

NOW = datetime(2026, 11, 20, 12, 0)  # the demo's relative scenarios are generated around this


def make_tracker(
    intent: str = "greet",
    text: str = "",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    customer_id: str | None = "C1001",
    lang: str = "zh",
    active_loop: str | None = None,
    metadata: dict[str, Any] | None = None,
    sender: str = "conv-1",
) -> Tracker:
    """A rasa_sdk Tracker as the action server receives it."""
    all_slots: dict[str, Any] = {"lang": lang, "customer_id": customer_id, "kb_failures": 0.0}
    all_slots.update(slots or {})
    latest = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities or [], "text": text,
              "metadata": metadata or {}}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(sender, all_slots, latest, [], False, None, loop, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> str:
    """All bot texts of a run, joined (for substring assertions)."""
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
