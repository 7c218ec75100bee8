"""Frozen records the store hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Conversation:
    id: str
    customer_id: str
    lang: str
    status: str
    ticket: bool
    priority: float
    priority_detail: dict[str, Any]
    handoff_reasons: list[dict[str, Any]]
    handoff_at: datetime | None
    queued_at: datetime | None
    assigned_agent_id: int | None
    claimed_at: datetime | None
    first_agent_reply_at: datetime | None
    rasa_sync: str | None
    resolution_code: str | None
    closed_at: datetime | None
    rating: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Message:
    seq: int
    conversation_id: str
    client_msg_id: str | None
    role: str
    text: str
    state: str
    agent_id: int | None
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        """The wire form customers and agents receive."""
        return {"seq": self.seq, "role": self.role, "text": self.text, "state": self.state,
                "client_msg_id": self.client_msg_id, "meta": _public_meta(self.meta),
                "created_at": self.created_at.isoformat() if self.created_at else None}


def _public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "buttons", "agent_name", "interim")
    return {k: v for k, v in meta.items() if k in keep}


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    display_name: str
    password_hash: str
    role: str
    last_seen_at: datetime | None


@dataclass(frozen=True)
class Note:
    id: int
    conversation_id: str
    agent_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Event:
    id: int
    conversation_id: str
    kind: str
    agent_id: int | None
    data: dict[str, Any]
    created_at: datetime
