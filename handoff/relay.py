"""Customer message flow: store first, assess, then bot, queue or agent; retries when the bot is down.

Every customer message gets a bot reply, an agent's attention or an acknowledgement: while a
conversation waits for a person (queued or ticket, unclaimed) the bot answers other questions;
only a claimed conversation leaves the bot silent.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from handoff import notices, waiting
from handoff.clients.rasa import BotUnavailable
from handoff.decision import Turn, Verdict
from handoff.escalation import acknowledge, add_reasons, hand_off, offer_choices, sync_bot, withdraw
from handoff.services import Services
from handoff.store.records import Conversation, Message

log = logging.getLogger(__name__)

BOT_UNAVAILABLE_REASON = {"code": "bot_unavailable",
                          "explanation": "the assistant could not answer in time; a human takes over"}


# System notices after which the decision starts afresh: a hand-back, a close, or the customer
# taking their request for a person back.
FRESH_START = ("handed_back", "rating_request", "withdrawn")
# Notices that start a wait for a person (the choices are offered once per wait).
WAIT_START = ("queued", "ticket")


def _stretch(svc: Services, conv_id: str, upto_seq: int | None = None) -> tuple[list[Turn], str | None]:
    """The turns since the last fresh start, and which notice started the stretch (None: the beginning)."""
    turns: list[Turn] = []
    started_by: str | None = None
    for m in svc.store.messages(conv_id, limit=10_000):
        if upto_seq is not None and m.seq > upto_seq:
            break
        if m.role == "system" and m.meta.get("type") in FRESH_START:
            turns, started_by = [], str(m.meta["type"])
        elif m.role in ("customer", "bot", "agent"):
            turns.append(Turn(m.role, m.text, bool(m.meta.get("fallback")), tuple(m.meta.get("facts") or ())))
    return turns, started_by


def turns_of(svc: Services, conv_id: str, upto_seq: int | None = None) -> list[Turn]:
    """The conversation as the decision sees it (customer/bot/agent turns, system notices left out).

    Only turns after the last hand-back or close count: the human settled what came before, and
    the old angry message must not send the customer's next question straight back to the queue.
    """
    return _stretch(svc, conv_id, upto_seq)[0]


def _assess(svc: Services, conv: Conversation, msg: Message) -> tuple[Verdict, int, str | None]:
    """The decision on the stretch up to this message, the message's index in it, and what started it."""
    turns, started_by = _stretch(svc, conv.id, msg.seq)
    customer = svc.customer(conv.customer_id)
    orders = svc.orders(conv.customer_id)
    try:
        verdict = svc.assessor(turns, customer, orders)
    except Exception as exc:  # noqa: BLE001 - a broken rule must not lose the message
        log.exception("assess failed on %s: %s", conv.id, exc)
        verdict = Verdict(False, (), {"error": 1.0})
    return verdict, len(turns) - 1, started_by


def assess_message(svc: Services, conv: Conversation, msg: Message) -> Verdict:
    return _assess(svc, conv, msg)[0]


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
    verdict, index, started_by = _assess(svc, conv, msg)
    meta = dict(msg.meta, verdict={"handoff": verdict.handoff, "codes": verdict.codes,
                                   "reasons": list(verdict.reasons), "scores": verdict.scores})
    if conv.status == "agent":
        # The owning agent reads it (visible since it was stored); what it adds still counts.
        _add_new_reasons(svc, conv, msg, verdict, index)
        svc.store.transition_message(seq, ["processing"], "to_agent", meta)
        return
    if conv.status == "queued":
        _while_waiting(svc, conv, msg, verdict, index, meta)
        return
    declined = started_by == "withdrawn" and waiting.declined_reasons_only(verdict.reasons)
    if verdict.handoff and not declined:
        svc.store.transition_message(seq, ["processing"], "to_agent", meta)
        hand_off(svc, conv.id, _with_trigger(verdict.reasons, msg, index), verdict.scores, source="assess")
        return
    if _waits_behind_earlier(svc, conv, msg, meta):
        return
    _send_to_bot(svc, conv, msg, meta)


def _waits_behind_earlier(svc: Services, conv: Conversation, msg: Message, meta: dict[str, Any]) -> bool:
    earlier_pending = [m for m in svc.store.messages_in_state(["pending_bot"]) if m.conversation_id == conv.id]
    if earlier_pending:
        # Keep the customer's order: this one waits behind the earlier unanswered message.
        svc.store.transition_message(msg.seq, ["processing"], "pending_bot", meta)
        return True
    return False


def _add_new_reasons(svc: Services, conv: Conversation, msg: Message, verdict: Verdict, index: int) -> None:
    """Reasons of a queued or claimed conversation accumulate (e.g. a complaint threat after a
    request for a person), and the priority is recomputed from all of them."""
    # The decision re-reads a window of messages, so the reason that queued the conversation comes
    # back with every later message: add_reasons keeps one entry per code, new codes are appended.
    add_reasons(svc, conv.id, _with_trigger(verdict.reasons, msg, index), verdict.scores, source="assess")


def _while_waiting(svc: Services, conv: Conversation, msg: Message, verdict: Verdict, index: int,
                   meta: dict[str, Any]) -> None:
    """Nobody has claimed the conversation yet: the bot answers what is not for the human."""
    _add_new_reasons(svc, conv, msg, verdict, index)
    conv = svc.store.conversation(conv.id) or conv
    kind = waiting.classify(msg.text, svc.config.waiting_nudges,
                            {p: t.values() for p, t in notices.CHOICE_TITLES.items()})
    if kind == "bot_help":
        svc.store.transition_message(msg.seq, ["processing"], "answered", meta)
        withdraw(svc, conv.id)
        return
    if kind != "question" or waiting.triggered_by(verdict.reasons, index):
        # A nudge, "keep waiting", or a message that is itself for the human: acknowledged, not answered.
        svc.store.transition_message(msg.seq, ["processing"], "to_agent", meta)
        acknowledge(svc, conv, "kept_waiting" if kind == "keep_waiting" else "still_waiting")
        svc.notifier.notify(conv.id)
        return
    if _waits_behind_earlier(svc, conv, msg, meta):
        return
    _answer_while_waiting(svc, conv, msg, meta)


def _handoff_events(svc: Services, conv_id: str) -> int:
    return sum(1 for e in svc.store.events(conv_id) if e.kind == "handoff")


def _choices_offered(svc: Services, conv_id: str) -> bool:
    """Whether this wait (since its queue or ticket notice) already offered the two choices."""
    for m in reversed(svc.store.messages(conv_id, limit=10_000)):
        kind = m.meta.get("type") if m.role == "system" else None
        if kind == "waiting_choices":
            return True
        if kind in WAIT_START:
            return False
    return False


def _answer_while_waiting(svc: Services, conv: Conversation, msg: Message, meta: dict[str, Any]) -> bool:
    """The bot answers; the first answer of a wait says the request is still with the team and
    offers the choice to keep waiting or let the assistant help."""
    before = _handoff_events(svc, conv.id)
    if not _send_to_bot(svc, conv, msg, meta):
        return False
    now = svc.store.conversation(conv.id)
    if now is None or now.status != "queued":
        return True  # claimed (or closed) meanwhile: the agent takes it from here
    if _handoff_events(svc, conv.id) > before:
        acknowledge(svc, now)  # the bot itself passed this message on to the team
    elif not _choices_offered(svc, conv.id):
        offer_choices(svc, now)
    svc.notifier.notify(conv.id)
    return True


def _with_trigger(reasons: tuple[dict[str, Any], ...], msg: Message, index: int | None = None) -> list[dict[str, Any]]:
    out = []
    for reason in reasons:
        r = dict(reason)
        r.setdefault("messages", [])
        if index is None or waiting.cites(r, index) or not waiting.cites_any(r):
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
        sync_bot(svc, conv.id)  # to what the status needs now, not what failed then
        stats["synced"] += 1
    return stats


def _retry_conversation(svc: Services, conv_id: str, msgs: list[Message], healthy: bool, now: Any) -> str:
    conv = svc.store.conversation(conv_id)
    if conv is None:
        return ""
    oldest = msgs[0].created_at or now
    bot_may_answer = conv.status in ("bot", "queued")  # queued: waiting, nobody has claimed it
    if not bot_may_answer or (now - oldest).total_seconds() >= svc.config.escalate_after:
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
    answer = _answer_while_waiting if conv.status == "queued" else _send_to_bot
    for m in msgs:
        if not svc.store.transition_message(m.seq, ["pending_bot"], "processing"):
            continue
        if not answer(svc, conv, m, dict(m.meta)):
            return ""
    return "answered"
