"""Helpers for action tests: the fixed clock, tracker builder, and what the bot sent (responses and facts)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

NOW = datetime(2026, 11, 20, 12, 0)  # the demo's relative scenarios are generated around this
DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
_NOT_FACTS = {"response", "text", "buttons", "image", "elements", "json_message", "attachment", "template"}


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
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A rasa_sdk Tracker as the action server receives it."""
    all_slots: dict[str, Any] = {"lang": lang, "customer_id": customer_id, "kb_failures": 0.0}
    all_slots.update(slots or {})
    latest = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities or [], "text": text,
              "metadata": metadata or {}}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(sender, all_slots, latest, events or [], False, None, loop, "action_listen")


def turn_after(action: str, intent: str) -> list[dict[str, Any]]:
    """Tracker events of a turn answered by `action`, then a new user message."""
    return [{"event": "user", "parse_data": {"intent": {"name": "track_parcel"}}}, {"event": "action", "name": action},
            {"event": "action", "name": "action_listen"}, {"event": "user", "parse_data": {"intent": {"name": intent}}}]


def said(dispatcher: CollectingDispatcher) -> list[str]:
    """The domain responses the action sent, in order."""
    return [str(m.get("response")) for m in dispatcher.messages if m.get("response")]


def facts(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    """The variables the action filled into `response` (the first time it was sent)."""
    for m in dispatcher.messages:
        if m.get("response") == response:
            return {k: v for k, v in m.items() if k not in _NOT_FACTS}
    raise AssertionError(f"{response} not sent; sent {said(dispatcher)}")


@lru_cache(maxsize=1)
def _responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]


def render(message: dict[str, Any], lang: str) -> str:
    """A message as Rasa sends it: the domain response of the language with its variables filled.

    A variable the action did not fill raises KeyError, so every test also checks the copy fits the facts.
    """
    name = message.get("response")
    if not name:
        return str(message.get("text") or "")
    variations = _responses()[str(name)]
    chosen = next((v for v in variations if lang == "en" and v.get("condition")),
                  next(v for v in variations if not v.get("condition")))
    values = {k: v for k, v in message.items() if k not in _NOT_FACTS}
    return str(chosen["text"]).format(**values)


def texts(dispatcher: CollectingDispatcher, lang: str = "zh") -> str:
    """All bot texts of a run as the customer sees them, joined (for checks of facts in the text)."""
    return "\n".join(render(m, lang) for m in dispatcher.messages)


def buttons(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Buttons sent by the action (those of the domain response are added by Rasa)."""
    return [b for m in dispatcher.messages for b in (m.get("buttons") or [])]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
