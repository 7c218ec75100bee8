"""Rasa client: REST channel messages, pause/resume events and tracker reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import requests


class BotUnavailable(RuntimeError):
    """Rasa (or its action server) could not answer now; the message must be retried."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


class RasaApi(Protocol):
    def send(self, conversation_id: str, text: str, customer_id: str) -> list[BotReply]: ...
    def pause(self, conversation_id: str) -> None: ...
    def resume(self, conversation_id: str) -> None: ...
    def tracker(self, conversation_id: str) -> dict[str, Any]: ...
    def healthy(self) -> bool: ...


class RasaClient:
    """Talks to `rasa run --enable-api`; the API token goes in the query string as Rasa expects."""

    def __init__(self, base_url: str, token: str, action_server_url: str = "", timeout: float = 30.0,
                 health_timeout: float = 2.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.action_health_url = action_server_url.rsplit("/webhook", 1)[0] + "/health" if action_server_url else ""
        self.timeout = timeout
        self.health_timeout = health_timeout
        self.http = session or requests.Session()

    def send(self, conversation_id: str, text: str, customer_id: str) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": {"customer_id": customer_id}}
        try:
            resp = self.http.post(f"{self.base_url}/webhooks/rest/webhook", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BotUnavailable(f"rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code >= 500:
            raise BotUnavailable(f"rasa answered {resp.status_code}")
        if resp.status_code != 200:
            raise BotUnavailable(f"rasa refused the message ({resp.status_code})")
        replies = []
        for item in resp.json() or []:
            if not isinstance(item, dict):
                continue
            raw_custom = item.get("custom")
            custom: dict[str, Any] = raw_custom if isinstance(raw_custom, dict) else {}
            text_out = str(item.get("text") or custom.get("text") or "")
            if text_out or item.get("buttons"):
                replies.append(BotReply(text_out, list(item.get("buttons") or []), dict(custom)))
            elif custom and replies:
                # Rasa's REST channel sends a response's custom payload (e.g. {"fallback": true}) as a
                # separate item right after its text: it belongs to that reply.
                replies[-1].custom.update(custom)
        if not replies and not self.healthy():
            # Rasa answers an empty list when the action server is down: treat as unavailable.
            raise BotUnavailable("action server not healthy")
        return replies

    def _event(self, conversation_id: str, event: dict[str, Any], *before: dict[str, Any]) -> None:
        body: dict[str, Any] | list[dict[str, Any]] = [*before, event] if before else event
        try:
            resp = self.http.post(f"{self.base_url}/conversations/{conversation_id}/tracker/events",
                                  params={"token": self.token}, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BotUnavailable(f"rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise BotUnavailable(f"rasa event {event['event']} failed ({resp.status_code})")

    def pause(self, conversation_id: str) -> None:
        self._event(conversation_id, {"event": "pause"})

    def resume(self, conversation_id: str) -> None:
        # A form the handoff interrupted (e.g. "which order?") would swallow the customer's next
        # question; the bot takes the conversation back with no half-filled form.
        self._event(conversation_id, {"event": "resume"},
                    {"event": "active_loop", "name": None},
                    {"event": "slot", "name": "requested_slot", "value": None})

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        try:
            resp = self.http.get(f"{self.base_url}/conversations/{conversation_id}/tracker",
                                 params={"token": self.token}, timeout=self.health_timeout * 2)
        except requests.RequestException as exc:
            raise BotUnavailable(f"rasa unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code != 200:
            raise BotUnavailable(f"tracker read failed ({resp.status_code})")
        data = resp.json()
        return data if isinstance(data, dict) else {}

    def healthy(self) -> bool:
        urls = [f"{self.base_url}/"] + ([self.action_health_url] if self.action_health_url else [])
        for url in urls:
            try:
                if self.http.get(url, timeout=self.health_timeout).status_code != 200:
                    return False
            except requests.RequestException:
                return False
        return True


def intent_history(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """User turns of a tracker as [{"text", "intent", "confidence"}] (oldest first)."""
    out = []
    for ev in tracker.get("events") or []:
        if isinstance(ev, dict) and ev.get("event") == "user":
            intent = (ev.get("parse_data") or {}).get("intent") or {}
            out.append({"text": ev.get("text") or "", "intent": intent.get("name") or "?",
                        "confidence": round(float(intent.get("confidence") or 0.0), 2)})
    return out
