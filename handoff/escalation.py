"""Handing a conversation to humans: pause Rasa, queue with priority, tell the customer what happens."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from handoff import notices
from handoff.clients.rasa import BotUnavailable
from handoff.hours import is_open, next_opening
from handoff.priority import effective, expected_wait_seconds, priority
from handoff.services import Services
from handoff.store.records import Conversation

log = logging.getLogger(__name__)


def ordered_queue(svc: Services) -> list[Conversation]:
    """Queued conversations, highest effective priority (priority + ageing) first."""
    now = svc.clock()
    queue = svc.store.conversations_by_status(["queued"])
    return sorted(queue, key=lambda c: (-effective(svc.config, c.priority, c.queued_at, now),
                                        c.queued_at or now))


def agents_online(svc: Services) -> int:
    since = svc.clock() - timedelta(seconds=svc.config.agent_online_seconds)
    return len(svc.store.agents_seen_since(since))


def _sync_bot(svc: Services, conv_id: str, event: Literal["pause", "resume"]) -> None:
    """Pause or resume the bot; a failed call is remembered so the worker retries it."""
    try:
        (svc.rasa.pause if event == "pause" else svc.rasa.resume)(conv_id)
        svc.store.update_conversation(conv_id, rasa_sync=None)
    except BotUnavailable as exc:
        log.warning("%s of %s failed (%s); the worker will retry", event, conv_id, exc)
        svc.store.update_conversation(conv_id, rasa_sync=event)


def pause_bot(svc: Services, conv_id: str) -> None:
    _sync_bot(svc, conv_id, "pause")


def resume_bot(svc: Services, conv_id: str) -> None:
    _sync_bot(svc, conv_id, "resume")


def _merge(existing: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {(r.get("code"), r.get("source")) for r in existing}
    return list(existing) + [r for r in new if (r.get("code"), r.get("source")) not in seen]


def hand_off(svc: Services, conv_id: str, reasons: Sequence[dict[str, Any]], scores: dict[str, Any],
             source: str) -> bool:
    """Queue the conversation (idempotent). Returns True if this call moved it out of the bot.

    A notice from the bot arrives while Rasa still holds the conversation's lock (the action is
    running), so pausing synchronously would deadlock: the pause is left to the worker instead.
    """
    conv = svc.store.conversation(conv_id)
    if conv is None:
        return False
    tagged = [dict(r, source=source) for r in reasons]
    if conv.status in ("queued", "agent"):
        svc.store.update_conversation(conv_id, handoff_reasons=_merge(conv.handoff_reasons, tagged))
        svc.store.add_event(conv_id, "handoff", {"source": source, "reasons": tagged, "merged": True})
        svc.notifier.notify(conv_id)
        return False
    customer = svc.customer(conv.customer_id)
    orders = svc.orders(conv.customer_id)
    prio = priority(svc.config, customer["vip_tier"] if customer else None, [o["amount"] for o in orders],
                    scores, [str(r.get("code")) for r in tagged])
    now = svc.clock()
    moved = svc.store.update_conversation(
        conv_id, only_if_status=["bot", "closed"], status="queued", priority=prio.score,
        priority_detail=prio.parts, handoff_reasons=tagged, handoff_at=now, queued_at=now,
        assigned_agent_id=None, claimed_at=None, first_agent_reply_at=None, resolution_code=None, closed_at=None,
        rating=None)
    if not moved:
        return False
    svc.store.add_event(conv_id, "handoff", {"source": source, "reasons": tagged, "priority": prio.parts})
    if source == "bot":
        svc.store.update_conversation(conv_id, rasa_sync="pause")
    else:
        pause_bot(svc, conv_id)
    tell_customer_what_next(svc, conv_id, conv.lang)
    svc.notifier.notify(conv_id)
    return True


def tell_customer_what_next(svc: Services, conv_id: str, lang: str) -> None:
    """Queue position and expected wait, or a ticket with a reply time when nobody can answer soon."""
    now = svc.clock()
    hours = svc.config.hours
    open_now = is_open(hours, now)
    online = agents_online(svc)
    if open_now and online > 0:
        queue = ordered_queue(svc)
        position = next((i + 1 for i, c in enumerate(queue) if c.id == conv_id), len(queue) or 1)
        wait = expected_wait_seconds(position, online, svc.config.avg_handle_seconds)
        svc.store.add_message(conv_id, "system", notices.queued(lang, position, wait),
                              meta={"type": "queued", "position": position, "wait_seconds": wait})
        return
    if open_now:
        reply_by = now + timedelta(hours=hours.ticket_reply_hours)
    else:
        reply_by = next_opening(hours, now) + timedelta(hours=1)
    reply_by = reply_by.astimezone(ZoneInfo(hours.timezone))
    svc.store.update_conversation(conv_id, ticket=True)
    svc.store.add_message(conv_id, "system", notices.ticket(lang, reply_by, closed=not open_now),
                          meta={"type": "ticket", "reply_by": reply_by.isoformat()})
    svc.store.add_event(conv_id, "ticket", {"reply_by": reply_by.isoformat(), "open": open_now,
                                            "agents_online": online})
