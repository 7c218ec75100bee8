"""Handing a conversation to humans: queue with priority, tell the customer where they stand, keep Rasa in step."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from handoff import notices
from handoff.clients.rasa import BotUnavailable
from handoff.hours import is_open, next_opening
from handoff.notices import Wait
from handoff.priority import effective, expected_wait_seconds, priority, rescore
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


def bot_event_for(status: str) -> Literal["pause", "resume"]:
    """Rasa is paused only while an agent owns the conversation; waiting customers keep the bot."""
    return "pause" if status == "agent" else "resume"


def sync_bot(svc: Services, conv_id: str) -> None:
    """Bring Rasa in line with the conversation's status now (the worker's retry of a failed call)."""
    conv = svc.store.conversation(conv_id)
    if conv is not None:
        _sync_bot(svc, conv_id, bot_event_for(conv.status))


def _merge(existing: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per reason code: the first trigger stays, a code not seen yet is appended."""
    seen = {r.get("code") for r in existing}
    out = list(existing)
    for r in new:
        if r.get("code") not in seen:
            seen.add(r.get("code"))
            out.append(r)
    return out


def add_reasons(svc: Services, conv_id: str, reasons: Sequence[dict[str, Any]], scores: dict[str, Any],
                source: str) -> bool:
    """Reasons that arrive while the conversation waits or is with an agent: merged into its reasons,
    and the priority recomputed from all of them (the queue order and the console follow).
    Returns True if the reasons or the priority changed (then an event records it)."""
    conv = svc.store.conversation(conv_id)
    if conv is None:
        return False
    tagged = [dict(r, source=source) for r in reasons]
    merged = _merge(conv.handoff_reasons, tagged)
    added = merged[len(conv.handoff_reasons):]
    customer = svc.customer(conv.customer_id)
    prio = rescore(svc.config, conv.priority_detail, customer["vip_tier"] if customer else None,
                   [o["amount"] for o in svc.orders(conv.customer_id)], scores,
                   [str(r.get("code")) for r in merged])
    if not added and prio.score == conv.priority:
        return False
    svc.store.update_conversation(conv_id, handoff_reasons=merged, priority=prio.score, priority_detail=prio.parts)
    svc.store.add_event(conv_id, "handoff", {"source": source, "reasons": tagged, "merged": True,
                                             "added": [r.get("code") for r in added], "priority": prio.parts})
    svc.notifier.notify(conv_id)
    return True


def hand_off(svc: Services, conv_id: str, reasons: Sequence[dict[str, Any]], scores: dict[str, Any],
             source: str) -> bool:
    """Queue the conversation (idempotent). Returns True if this call moved it out of the bot.

    Rasa is not paused here (and action_handoff does not pause itself): while nobody has claimed
    the conversation the bot goes on answering the customer's other questions; agent_ops.claim
    pauses it. This also keeps Rasa calls out of the bot's own notice, which arrives while Rasa
    holds the conversation's lock.
    """
    conv = svc.store.conversation(conv_id)
    if conv is None:
        return False
    if conv.status in ("queued", "agent"):
        if not add_reasons(svc, conv_id, reasons, scores, source):
            svc.store.add_event(conv_id, "handoff", {"source": source, "reasons": [dict(r, source=source)
                                                                                  for r in reasons],
                                                     "merged": True, "added": []})
        return False
    tagged = [dict(r, source=source) for r in reasons]
    customer = svc.customer(conv.customer_id)
    orders = svc.orders(conv.customer_id)
    prio = priority(svc.config, customer["vip_tier"] if customer else None, [o["amount"] for o in orders],
                    scores, [str(r.get("code")) for r in tagged])
    now = svc.clock()
    moved = svc.store.update_conversation(
        conv_id, only_if_status=["bot", "closed"], status="queued", priority=prio.score,
        priority_detail=prio.parts, handoff_reasons=tagged, handoff_at=now, queued_at=now,
        assigned_agent_id=None, claimed_at=None, first_agent_reply_at=None, resolution_code=None, closed_at=None,
        rating=None, ticket=False)
    if not moved:
        return False
    svc.store.add_event(conv_id, "handoff", {"source": source, "reasons": tagged, "priority": prio.parts})
    tell_customer_what_next(svc, conv_id, conv.lang)
    svc.notifier.notify(conv_id)
    return True


def requeue(svc: Services, conv_id: str, agent_id: int | None, kind: str) -> bool:
    """An agent gives a claimed conversation back to the queue (transfer, release): the customer
    waits again, with the bot answering meanwhile, and is told where they stand."""
    conv = svc.store.conversation(conv_id)
    if conv is None or not svc.store.update_conversation(conv_id, only_if_status=["agent"], status="queued",
                                                         assigned_agent_id=None, queued_at=svc.clock()):
        return False
    svc.store.add_event(conv_id, kind, {"to": "queue"}, agent_id)
    resume_bot(svc, conv_id)
    tell_customer_what_next(svc, conv_id, conv.lang)
    svc.notifier.notify(conv_id)
    return True


def withdraw(svc: Services, conv_id: str) -> bool:
    """The waiting customer chose the bot: out of the queue, reasons kept in the event history."""
    conv = svc.store.conversation(conv_id)
    if conv is None or not svc.store.update_conversation(conv_id, only_if_status=["queued"], status="bot",
                                                         assigned_agent_id=None, ticket=False):
        return False
    now = svc.clock()
    waited = round((now - conv.queued_at).total_seconds(), 1) if conv.queued_at else None
    svc.store.add_event(conv_id, "withdraw", {"reasons": conv.handoff_reasons, "priority": conv.priority_detail,
                                              "ticket": conv.ticket, "waited_seconds": waited})
    # type "withdrawn" starts a fresh stretch for the decision (relay.FRESH_START): the request the
    # customer just took back must not send the next question straight back to the queue
    svc.store.add_message(conv_id, "system", notices.withdrawn(conv.lang), meta={"type": "withdrawn"})
    svc.notifier.notify(conv_id)
    return True


def _ticket_reply_by(svc: Services, conv_id: str) -> datetime | None:
    for ev in reversed(svc.store.events(conv_id)):
        if ev.kind == "ticket" and isinstance(ev.data.get("reply_by"), str):
            try:
                return datetime.fromisoformat(ev.data["reply_by"])
            except ValueError:
                return None
    return None


def current_wait(svc: Services, conv: Conversation) -> Wait | None:
    """Where a waiting conversation stands now; None when nobody can answer soon and no ticket exists."""
    if conv.ticket:
        reply_by = _ticket_reply_by(svc, conv.id)
        if reply_by is not None:
            return Wait(reply_by=reply_by)
    online = agents_online(svc)
    if not (is_open(svc.config.hours, svc.clock()) and online > 0):
        return None
    return _queue_wait(svc, conv.id, online)


def _queue_wait(svc: Services, conv_id: str, online: int) -> Wait:
    queue = ordered_queue(svc)
    position = next((i + 1 for i, c in enumerate(queue) if c.id == conv_id), len(queue) or 1)
    return Wait(position=position, wait_seconds=expected_wait_seconds(position, online, svc.config.avg_handle_seconds))


def _wait_meta(wait: Wait) -> dict[str, Any]:
    if wait.reply_by is not None:
        return {"reply_by": wait.reply_by.isoformat()}
    return {"position": wait.position, "wait_seconds": wait.wait_seconds}


def _wait_or_ticket(svc: Services, conv: Conversation) -> tuple[Wait, bool]:
    """The current wait; when nobody can answer soon, a ticket is opened now (its notice is sent)."""
    wait = current_wait(svc, conv)
    if wait is not None:
        return wait, False
    return Wait(reply_by=_open_ticket(svc, conv.id, conv.lang)), True


def acknowledge(svc: Services, conv: Conversation, kind: str = "still_waiting") -> None:
    """A waiting customer's nudge (or message for the human, or 'keep waiting'): still with the team."""
    wait, opened = _wait_or_ticket(svc, conv)
    if opened and kind == "still_waiting":
        return  # the ticket notice just sent says it all
    text = notices.kept_waiting(conv.lang, wait) if kind == "kept_waiting" else notices.still_waiting(conv.lang, wait)
    svc.store.add_message(conv.id, "system", text, meta={"type": kind, **_wait_meta(wait)})


def offer_choices(svc: Services, conv: Conversation) -> None:
    """With the bot's first answer while the customer waits: still with the team, and two buttons."""
    wait, _ = _wait_or_ticket(svc, conv)
    svc.store.add_message(conv.id, "system", notices.waiting_choices(conv.lang, wait),
                          meta={"type": "waiting_choices", "buttons": notices.choice_buttons(conv.lang),
                                **_wait_meta(wait)})


def tell_customer_what_next(svc: Services, conv_id: str, lang: str) -> None:
    """Queue position and expected wait, or a ticket with a reply time when nobody can answer soon."""
    online = agents_online(svc)
    if is_open(svc.config.hours, svc.clock()) and online > 0:
        wait = _queue_wait(svc, conv_id, online)
        assert wait.position is not None and wait.wait_seconds is not None
        svc.store.add_message(conv_id, "system", notices.queued(lang, wait.position, wait.wait_seconds),
                              meta={"type": "queued", **_wait_meta(wait)})
        return
    _open_ticket(svc, conv_id, lang)


def _open_ticket(svc: Services, conv_id: str, lang: str) -> datetime:
    now = svc.clock()
    hours = svc.config.hours
    open_now = is_open(hours, now)
    if open_now:
        reply_by = now + timedelta(hours=hours.ticket_reply_hours)
    else:
        reply_by = next_opening(hours, now) + timedelta(hours=1)
    reply_by = reply_by.astimezone(ZoneInfo(hours.timezone))
    svc.store.update_conversation(conv_id, ticket=True)
    svc.store.add_message(conv_id, "system", notices.ticket(lang, reply_by, closed=not open_now),
                          meta={"type": "ticket", "reply_by": reply_by.isoformat()})
    svc.store.add_event(conv_id, "ticket", {"reply_by": reply_by.isoformat(), "open": open_now,
                                            "agents_online": agents_online(svc)})
    return reply_by
