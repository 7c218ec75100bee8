"""Agent console: queue and conversation pages, and the JSON calls their scripts make (CSRF-protected)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, jsonify, render_template

from handoff import agent_ops, validation
from handoff.context import build_packet, transcript
from handoff.errors import ApiError
from handoff.escalation import agents_online, ordered_queue
from handoff.live import ALL, long_poll
from handoff.priority import effective
from handoff.services import Services
from handoff.store.records import Conversation, Message
from handoff.web.auth import login_required
from handoff.web.common import services

bp = Blueprint("console", __name__, url_prefix="/console")


def _age(then: datetime | None, now: datetime) -> float | None:
    return round((now - then).total_seconds(), 1) if then else None


def _row(svc: Services, conv: Conversation, now: datetime) -> dict[str, Any]:
    customer = svc.customer(conv.customer_id)
    sla = svc.config.first_response_seconds
    waiting = _age(conv.queued_at, now)
    answered = conv.first_agent_reply_at is not None
    return {
        "id": conv.id, "customer_id": conv.customer_id, "name": customer["name"] if customer else "?",
        "tier": customer["vip_tier"] if customer else "?", "status": conv.status, "ticket": conv.ticket,
        "priority": conv.priority, "effective": round(effective(svc.config, conv.priority, conv.queued_at, now), 2),
        "reasons": sorted({str(r.get("code")) for r in conv.handoff_reasons}),
        "waiting_seconds": waiting, "assigned_agent_id": conv.assigned_agent_id,
        "sla_seconds": sla, "sla_breached": (not answered) and waiting is not None and waiting > sla,
        "first_reply_seconds": _age(conv.queued_at, conv.first_agent_reply_at) if answered and conv.queued_at
        and conv.first_agent_reply_at else None,
    }


def _queue_payload(svc: Services) -> dict[str, Any]:
    now = svc.clock()
    agent = g.agent
    mine = svc.store.conversations_by_status(["agent"], agent_id=None if agent.role == "supervisor" else agent.id)
    return {"queue": [_row(svc, c, now) for c in ordered_queue(svc)],
            "mine": [_row(svc, c, now) for c in mine],
            "agents_online": agents_online(svc), "now": now.isoformat(),
            "me": {"id": agent.id, "username": agent.username, "role": agent.role}}


@bp.get("/")
@login_required
def queue_page() -> Any:
    return render_template("console/queue.html", agent=g.agent, data=_queue_payload(services()))


@bp.get("/c/<conv_id>")
@login_required
def conversation_page(conv_id: str) -> Any:
    svc = services()
    conv = svc.store.conversation(conv_id)
    if conv is None:
        abort(404)
    packet = build_packet(svc, conv)
    return render_template("console/conversation.html", agent=g.agent, conv=conv, row=_row(svc, conv, svc.clock()),
                           packet=packet, messages=transcript(svc.store.messages(conv.id, limit=10_000)),
                           canned=svc.config.canned_replies, codes=svc.config.resolution_codes,
                           agents=[a for a in svc.store.all_agents() if a.id != g.agent.id])


@bp.get("/api/queue")
@login_required
def api_queue() -> Any:
    return jsonify(_queue_payload(services()))


@bp.get("/api/conversations/<conv_id>/messages")
@login_required
def api_messages(conv_id: str) -> Any:
    svc = services()
    conv = svc.store.conversation(conv_id)
    if conv is None:
        raise ApiError(404, "not_found", "no such conversation", "conversation_id")
    after = validation.query_int("after", 0, 0, 2**62)
    wait = validation.query_int("wait", 0, 0, int(svc.config.poll_wait_seconds))
    msgs = list(long_poll(svc.notifier, conv_id, lambda: svc.store.messages(conv_id, after=after, limit=200), wait,
                          svc.config.db_check_seconds))
    conv = svc.store.conversation(conv_id) or conv
    packet = build_packet(svc, conv, with_remote=False)  # reasons accumulate while the customer writes
    return jsonify({"messages": transcript(msgs), "row": _row(svc, conv, svc.clock()),
                    "reasons": packet["reasons"], "priority": packet["priority"],
                    "last_seq": msgs[-1].seq if msgs else after})


@bp.get("/api/feed")
@login_required
def api_feed() -> Any:
    """New messages in every conversation this agent owns (one long-poll for many chats)."""
    svc = services()
    after = validation.query_int("after", 0, 0, 2**62)
    wait = validation.query_int("wait", 0, 0, int(svc.config.poll_wait_seconds))
    agent_id = g.agent.id

    def fetch() -> list[Message]:
        owned = [c.id for c in svc.store.conversations_by_status(["agent"], agent_id=agent_id)]
        return svc.store.messages_after(after, owned, limit=500) if owned else []

    msgs = long_poll(svc.notifier, ALL, fetch, wait, svc.config.db_check_seconds, settle_seconds=0.02)
    items = [dict(m.public(), conversation_id=m.conversation_id) for m in msgs]
    return jsonify({"messages": items, "last_seq": msgs[-1].seq if msgs else after})


@bp.get("/api/conversations/<conv_id>/context")
@login_required
def api_context(conv_id: str) -> Any:
    svc = services()
    conv = svc.store.conversation(conv_id)
    if conv is None:
        raise ApiError(404, "not_found", "no such conversation", "conversation_id")
    return jsonify(build_packet(svc, conv))


@bp.post("/api/conversations/<conv_id>/claim")
@login_required
def api_claim(conv_id: str) -> Any:
    conv = agent_ops.claim(services(), conv_id, g.agent)
    return jsonify({"ok": True, "status": conv.status})


@bp.post("/api/conversations/<conv_id>/transfer")
@login_required
def api_transfer(conv_id: str) -> Any:
    body = validation.json_body()
    to = validation.identifier(body, "to", 64, required=False)
    conv = agent_ops.transfer(services(), conv_id, g.agent, None if to in (None, "queue") else to)
    return jsonify({"ok": True, "status": conv.status, "assigned_agent_id": conv.assigned_agent_id})


@bp.post("/api/conversations/<conv_id>/reply")
@login_required
def api_reply(conv_id: str) -> Any:
    svc = services()
    body = validation.json_body()
    text = validation.text(body, "text", svc.config.max_text_chars)
    client_msg_id = validation.identifier(body, "client_msg_id", svc.config.max_client_msg_id_chars,
                                          required=False)
    assert text is not None
    msg, created = agent_ops.reply(svc, conv_id, g.agent, text, client_msg_id)
    return jsonify({"seq": msg.seq, "duplicate": not created}), (201 if created else 200)


@bp.post("/api/conversations/<conv_id>/note")
@login_required
def api_note(conv_id: str) -> Any:
    svc = services()
    text = validation.text(validation.json_body(), "text", svc.config.max_note_chars)
    assert text is not None
    agent_ops.note(svc, conv_id, g.agent, text)
    return jsonify({"ok": True}), 201


@bp.post("/api/conversations/<conv_id>/handback")
@login_required
def api_handback(conv_id: str) -> Any:
    conv = agent_ops.hand_back(services(), conv_id, g.agent)
    return jsonify({"ok": True, "status": conv.status})


@bp.post("/api/conversations/<conv_id>/close")
@login_required
def api_close(conv_id: str) -> Any:
    code = validation.identifier(validation.json_body(), "resolution", 32)
    assert code is not None
    conv = agent_ops.close(services(), conv_id, g.agent, code)
    return jsonify({"ok": True, "status": conv.status})
