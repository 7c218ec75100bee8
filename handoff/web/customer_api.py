"""Customer JSON API: start a conversation, send (idempotent), read/poll messages, rate; /chat page."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, render_template

from handoff import agent_ops, relay, validation
from handoff.errors import ApiError
from handoff.escalation import ordered_queue
from handoff.live import long_poll
from handoff.store.records import Conversation
from handoff.web.common import bearer_token, rate_limit, services

bp = Blueprint("customer_api", __name__)
_CUSTOMER_ID = re.compile(r"^C\d{3,10}$")


def _authorised(conv_id: str) -> Conversation:
    """The customer token issued at start must match; unknown ids and wrong tokens look the same."""
    svc = services()
    token = bearer_token()
    if not token:
        raise ApiError(401, "missing_token", "send the customer_token as 'Authorization: Bearer …'")
    if len(conv_id) > 40 or not svc.store.token_matches(conv_id, token):
        raise ApiError(404, "not_found", "no such conversation for this token", "conversation_id")
    conv = svc.store.conversation(conv_id)
    assert conv is not None
    return conv


def _status(conv: Conversation) -> dict[str, Any]:
    out: dict[str, Any] = {"conversation_id": conv.id, "status": conv.status, "ticket": conv.ticket,
                           "rating": conv.rating}
    if conv.status == "queued":
        queue = ordered_queue(services())
        out["queue_position"] = next((i + 1 for i, c in enumerate(queue) if c.id == conv.id), None)
    return out


@bp.post("/api/conversations")
def start() -> Any:
    rate_limit("conversation_create")
    svc = services()
    body = validation.json_body()
    customer_id = validation.text(body, "customer_id", 12)
    assert customer_id is not None
    if not _CUSTOMER_ID.match(customer_id):
        raise ApiError(400, "bad_format", "customer_id looks like C1001", "customer_id")
    lang = validation.text(body, "lang", 2, required=False)
    if lang is not None and lang not in ("zh", "en"):
        raise ApiError(400, "bad_value", "lang is 'zh' or 'en'", "lang")
    customer = svc.customer(customer_id)
    if svc.shop is not None and customer is None:
        raise ApiError(404, "unknown_customer", f"no customer {customer_id}", "customer_id")
    conv, token = svc.store.create_conversation(customer_id, lang or (customer["lang"] if customer else "zh"))
    return jsonify({"conversation_id": conv.id, "customer_token": token, "status": conv.status,
                    "lang": conv.lang}), 201


@bp.post("/api/conversations/<conv_id>/messages")
def send(conv_id: str) -> Any:
    conv = _authorised(conv_id)
    rate_limit("customer_message", conv.id)
    svc = services()
    body = validation.json_body()
    text = validation.text(body, "text", svc.config.max_text_chars)
    client_msg_id = validation.identifier(body, "client_msg_id", svc.config.max_client_msg_id_chars)
    assert text is not None and client_msg_id is not None
    msg, created = relay.receive(svc, conv, text, client_msg_id)
    if msg.text != text:
        raise ApiError(409, "client_msg_id_reused", "this client_msg_id was used for a different text",
                       "client_msg_id")
    return jsonify({"seq": msg.seq, "state": msg.state, "duplicate": not created}), (201 if created else 200)


@bp.get("/api/conversations/<conv_id>/messages")
def read(conv_id: str) -> Any:
    """Messages after `after`; with wait>0 the request long-polls until something new arrives."""
    conv = _authorised(conv_id)
    rate_limit("customer_read", conv.id)
    svc = services()
    after = validation.query_int("after", 0, 0, 2**62)
    wait = validation.query_int("wait", 0, 0, int(svc.config.poll_wait_seconds))
    msgs = long_poll(svc.notifier, conv.id, lambda: svc.store.messages(conv.id, after=after, limit=200), wait,
                     svc.config.db_check_seconds)
    conv = svc.store.conversation(conv.id) or conv
    return jsonify({"messages": [m.public() for m in msgs], **_status(conv),
                    "last_seq": msgs[-1].seq if msgs else after})


@bp.get("/api/conversations/<conv_id>")
def status(conv_id: str) -> Any:
    return jsonify(_status(_authorised(conv_id)))


@bp.post("/api/conversations/<conv_id>/rating")
def rating(conv_id: str) -> Any:
    conv = _authorised(conv_id)
    body = validation.json_body()
    agent_ops.rate(services(), conv.id, validation.integer(body, "rating", 1, 5))
    return jsonify({"ok": True})


@bp.get("/chat")
def chat_page() -> Any:
    return render_template("chat.html", customers=services().config.demo_customers)
