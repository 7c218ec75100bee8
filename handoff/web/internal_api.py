"""Service-to-service API (bearer SERVICE_TOKEN): the bot reports handoff facts; the bridge decides."""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import Any

from flask import Blueprint, jsonify

from handoff import validation
from handoff.decision import Turn
from handoff.errors import ApiError
from handoff.escalation import hand_off
from handoff.relay import turns_of
from handoff.services import Services
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
    """`{"conversation_id", "facts": [...], "detail"?, "intent"?}`: facts about the newest customer turn.

    The facts go into the same decision (handoff.assess) that judges every customer message, on the
    newest customer turn; the decision's reasons, not the bot, say whether and why a human takes over.
    """
    _require_service_token()
    rate_limit("internal")
    svc = services()
    body = validation.json_body()
    conv_id = validation.identifier(body, "conversation_id", 40)
    facts = _facts(body)
    detail = validation.text(body, "detail", 1000, required=False) or ""
    intent = validation.identifier(body, "intent", 64, required=False)
    assert conv_id is not None
    conv = svc.store.conversation(conv_id)
    if conv is None:
        raise ApiError(404, "not_found", "no such conversation", "conversation_id")
    _remember_facts(svc, conv_id, facts)
    turns = with_facts(turns_of(svc, conv_id), facts)
    verdict = svc.assessor(turns, svc.customer(conv.customer_id), svc.orders(conv.customer_id))
    moved = False
    if verdict.handoff:
        reasons = [dict(r, detail=detail, intent=intent, facts=list(facts)) for r in verdict.reasons]
        moved = hand_off(svc, conv_id, reasons, verdict.scores, source="bot")
    conv = svc.store.conversation(conv_id)
    return jsonify({"ok": True, "handoff": verdict.handoff, "reasons": verdict.codes, "queued": moved,
                    "status": conv.status if conv else None})


def _facts(body: dict[str, Any]) -> tuple[str, ...]:
    from handoff.assess.records import FACTS

    raw = body.get("facts")
    if not isinstance(raw, list) or not raw or any(f not in FACTS for f in raw):
        raise ApiError(400, "bad_request", f"must be a non-empty list of {', '.join(FACTS)}", "facts")
    return tuple(dict.fromkeys(raw))


def _remember_facts(svc: Services, conv_id: str, facts: tuple[str, ...]) -> None:
    """Keep the facts on the newest customer message, so later assessments of the conversation still see them."""
    last = next((m for m in reversed(svc.store.messages(conv_id, limit=10_000)) if m.role == "customer"), None)
    if last is not None:
        known = tuple(last.meta.get("facts") or ())
        meta = dict(last.meta, facts=list(dict.fromkeys(known + facts)))
        svc.store.transition_message(last.seq, [last.state], last.state, meta)


def with_facts(turns: list[Turn], facts: tuple[str, ...]) -> list[Turn]:
    """The turns with `facts` attached to the newest customer turn."""
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].role == "customer":
            turns[i] = replace(turns[i], facts=tuple(dict.fromkeys(turns[i].facts + facts)))
            break
    return turns
