"""Service-to-service API (bearer SERVICE_TOKEN): the bot's handoff notice."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, jsonify

from handoff import validation
from handoff.errors import ApiError
from handoff.escalation import hand_off
from handoff.web.common import bearer_token, rate_limit, services

bp = Blueprint("internal_api", __name__, url_prefix="/api/internal")


def _require_service_token() -> None:
    expected = services().config.service_token
    if not expected:
        raise ApiError(503, "not_configured", "SERVICE_TOKEN is not set on the bridge")
    if not hmac.compare_digest(bearer_token(), expected):
        raise ApiError(401, "bad_token", "a valid service bearer token is required")


@bp.post("/handoff")
def handoff_notice() -> Any:
    _require_service_token()
    rate_limit("internal")
    svc = services()
    body = validation.json_body()
    conv_id = validation.identifier(body, "conversation_id", 40)
    reason = validation.identifier(body, "reason", 40)
    detail = validation.text(body, "detail", 1000, required=False) or ""
    intent = validation.identifier(body, "intent", 64, required=False)
    assert conv_id is not None and reason is not None
    # Reason codes are open-ended (the bot also sends e.g. late_refund); the format is checked above.
    if svc.store.conversation(conv_id) is None:
        raise ApiError(404, "not_found", "no such conversation", "conversation_id")
    moved = hand_off(svc, conv_id, [{"code": reason, "explanation": f"the bot handed off ({intent or '?'})",
                                     "detail": detail, "intent": intent, "messages": []}], {}, source="bot")
    conv = svc.store.conversation(conv_id)
    return jsonify({"ok": True, "queued": moved, "status": conv.status if conv else None})
