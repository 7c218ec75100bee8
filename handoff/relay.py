"""Customer message flow: store first, assess, then bot, queue or agent; retries when the bot is down."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from handoff import notices
from handoff.clients.rasa import BotUnavailable
from handoff.decision import Turn, Verdict
from handoff.escalation import hand_off, pause_bot, resume_bot
from handoff.services import Services
from handoff.store.records import Conversation, Message

log = logging.getLogger(__name__)

BOT_UNAVAILABLE_REASON = {"code": "bot_unavailable",
                          "explanation": "the assistant could not answer in time; a human takes over"}


FRESH_START = ("handed_back", "rating_request")


def turns_of(svc: Services, conv_id: str, upto_seq: int | None = None) -> list[Turn]:
    """The conversation as the decision sees it (customer/bot/agent turns, system notices left out).

    Only turns after the last hand-back or close count: the human settled what came before, and
    the old angry message must not send the customer's next question straight back to the queue.
    """
    turns: list[Turn] = []
    for m in svc.store.messages(conv_id, limit=10_000):
        if upto_seq is not None and m.seq > upto_seq:
            break
        if m.role == "system" and m.meta.get("type") in FRESH_START:
            turns = []
        elif m.role in ("customer", "bot", "agent"):
            turns.append(Turn(m.role, m.text, bool(m.meta.get("fallback"))))
    return turns


def assess_message(svc: Services, conv: Conversation, msg: Message) -> Verdict:
    customer = svc.customer(conv.customer_id)
    orders = svc.orders(conv.customer_id)
    try:
        return svc.assessor(turns_of(svc, conv.id, msg.seq), customer, orders)
    except Exception as exc:  # noqa: BLE001 - a broken rule must not lose the message
        log.exception("assess failed on %s: %s", conv.id, exc)
        return Verdict(False, (), {"error": 1.0})


def receive(svc: Services, conv: Conversation, text: str, client_msg_id: str) -> tuple[Message, bool]:
    """Store the customer's message (idempotent on client_msg_id), then process it once."""
    # Stored already claimed ('processing') by this request: one write less than received→processing;
    # if the process dies here, the retry loop picks the message up after `stuck_after` seconds.
    msg, created = svc.store.add_message(conv.id, "customer", text, "processing", client_msg_id=client_msg_id)
    if created:
        svc.notifier.notify(conv.id)
        _route(svc, msg)
        msg = svc.store.message(msg.seq) or msg
    return msg, created


def process(svc: Services, seq: int, from_states: tuple[str, ...] = ("received",)) -> None:
    """Route one stored customer message; claiming it first makes concurrent processing impossible."""
    if not svc.store.transition_message(seq, from_states, "processing"):
        return
    msg = svc.store.message(seq)
    if msg is not None:
        _route(svc, msg)


def _route(svc: Services, msg: Message) -> None:
    seq = msg.seq
    conv = svc.store.conversation(msg.conversation_id)
    if conv is None:
        return
    if conv.status == "closed":
        # A closed conversation reopens with the bot (Rasa was resumed at close).
        svc.store.update_conversation(conv.id, only_if_status=["closed"], status="bot")
        conv = svc.store.conversation(conv.id) or conv
    verdict = assess_message(svc, conv, msg)
    meta = dict(msg.meta, verdict={"handoff": verdict.handoff, "codes": verdict.codes,
                                   "reasons": list(verdict.reasons), "scores": verdict.scores})
    if conv.status in ("queued", "agent"):
        # Already visible to agents since it was stored; only its state changes (no wake-up needed).
        svc.store.transition_message(seq, ["processing"], "to_agent", meta)
        return
    if verdict.handoff:
        svc.store.transition_message(seq, ["processing"], "to_agent", meta)
        hand_off(svc, conv.id, _with_trigger(verdict.reasons, msg), verdict.scores, source="assess")
        return
    earlier_pending = [m for m in svc.store.messages_in_state(["pending_bot"]) if m.conversation_id == conv.id]
    if earlier_pending:
        # Keep the customer's order: this one waits behind the earlier unanswered message.
        svc.store.transition_message(seq, ["processing"], "pending_bot", meta)
        return
    _send_to_bot(svc, conv, msg, meta)


def _with_trigger(reasons: tuple[dict[str, Any], ...], msg: Message) -> list[dict[str, Any]]:
    out = []
    for reason in reasons:
        r = dict(reason)
        r.setdefault("messages", [])
        r["trigger_seq"] = msg.seq
        out.append(r)
    return out


def _send_to_bot(svc: Services, conv: Conversation, msg: Message, meta: dict[str, Any]) -> bool:
    try:
        replies = svc.rasa.send(conv.id, msg.text, conv.customer_id)
    except BotUnavailable as exc:
        log.warning("bot unavailable for %s: %s", conv.id, exc)
        first = svc.store.transition_message(msg.seq, ["processing"], "pending_bot",
                                             dict(meta, bot_error=str(exc)))
        if first and not meta.get("interim_sent"):
            svc.store.add_message(conv.id, "system", notices.bot_down(conv.lang), meta={"interim": True})
            svc.store.transition_message(msg.seq, ["pending_bot"], "pending_bot",
                                         dict(meta, bot_error=str(exc), interim_sent=True))
        svc.notifier.notify(conv.id)
        return False
    for reply in replies:
        reply_meta: dict[str, Any] = {"reply_to": msg.seq}
        if reply.buttons:
            reply_meta["buttons"] = reply.buttons
        if reply.custom.get("fallback"):
            reply_meta["fallback"] = True
        svc.store.add_message(conv.id, "bot", reply.text, meta=reply_meta)
    if not replies:
        # The bot predicted nothing to say: the customer must not be left in silence, and the
        # turn counts as a failure towards the bot_failure handoff.
        svc.store.add_message(conv.id, "bot", notices.bot_silent(conv.lang),
                              meta={"reply_to": msg.seq, "fallback": True, "bot_silent": True})
    svc.store.transition_message(msg.seq, ["processing"], "answered", meta)
    svc.notifier.notify(conv.id)
    return True


def retry_pending(svc: Services) -> dict[str, int]:
    """One pass of the background loop: answer or escalate pending_bot messages, redo stuck ones,
    and repeat Rasa pause/resume calls that failed."""
    now = svc.clock()
    stats = {"answered": 0, "escalated": 0, "requeued": 0, "synced": 0}
    stuck_before = now - timedelta(seconds=svc.config.stuck_after)
    for m in svc.store.messages_in_state(["received", "processing"], updated_before=stuck_before):
        if m.role == "customer":
            process(svc, m.seq, from_states=("received", "processing"))
            stats["requeued"] += 1
    pending = svc.store.messages_in_state(["pending_bot"])
    if pending:
        healthy = svc.rasa.healthy()
        by_conv: dict[str, list[Message]] = {}
        for m in pending:
            by_conv.setdefault(m.conversation_id, []).append(m)
        for conv_id, msgs in by_conv.items():
            stats_key = _retry_conversation(svc, conv_id, msgs, healthy, now)
            if stats_key:
                stats[stats_key] += 1
    for conv in svc.store.conversations_needing_rasa_sync():
        if conv.rasa_sync == "pause":
            pause_bot(svc, conv.id)
        elif conv.rasa_sync == "resume":
            resume_bot(svc, conv.id)
        stats["synced"] += 1
    return stats


def _retry_conversation(svc: Services, conv_id: str, msgs: list[Message], healthy: bool, now: Any) -> str:
    conv = svc.store.conversation(conv_id)
    if conv is None:
        return ""
    oldest = msgs[0].created_at or now
    if conv.status != "bot" or (now - oldest).total_seconds() >= svc.config.escalate_after:
        for m in msgs:
            svc.store.transition_message(m.seq, ["pending_bot"], "to_agent")
        if conv.status == "bot":
            reason = dict(BOT_UNAVAILABLE_REASON, messages=[{"index": None, "text": m.text} for m in msgs],
                          trigger_seq=msgs[-1].seq)
            hand_off(svc, conv_id, [reason], {}, source="worker")
        svc.notifier.notify(conv_id)
        return "escalated"
    if not healthy:
        return ""
    for m in msgs:
        if not svc.store.transition_message(m.seq, ["pending_bot"], "processing"):
            continue
        if not _send_to_bot(svc, conv, m, dict(m.meta)):
            return ""
    return "answered"
