"""The agent's context packet: why, how the customer feels, who they are, what the bot said."""

from __future__ import annotations

from typing import Any

from handoff.clients.rasa import BotUnavailable, intent_history
from handoff.masking import mask, mask_phone
from handoff.priority import message_emotion
from handoff.services import Services
from handoff.store.records import Conversation, Message
from handoff.summary import promises, summarise


def transcript(messages: list[Message]) -> list[dict[str, Any]]:
    """Messages as the agent sees them: phone numbers and street addresses masked."""
    out = []
    for m in messages:
        item = m.public()
        item["text"] = mask(m.text)
        verdict = m.meta.get("verdict") or {}
        item["codes"] = verdict.get("codes") or []
        out.append(item)
    return out


def _trajectory(messages: list[Message]) -> list[dict[str, Any]]:
    points = []
    for m in messages:
        if m.role != "customer":
            continue
        scores = (m.meta.get("verdict") or {}).get("scores") or {}
        level = message_emotion(scores)
        points.append({"seq": m.seq, "text": mask(m.text)[:60], "emotion": round(level, 2),
                       "codes": (m.meta.get("verdict") or {}).get("codes") or []})
    return points


def _reasons(conv: Conversation, by_seq: dict[int, Message]) -> list[dict[str, Any]]:
    out = []
    for r in conv.handoff_reasons:
        triggers = [mask(str(t.get("text") or "")) for t in r.get("messages") or [] if t.get("text")]
        seq = r.get("trigger_seq")
        if not triggers and isinstance(seq, int) and seq in by_seq:
            triggers = [mask(by_seq[seq].text)]
        if r.get("detail"):
            triggers.append(mask(str(r["detail"])))
        out.append({"code": r.get("code"), "explanation": r.get("explanation") or "", "source": r.get("source"),
                    "intent": r.get("intent"), "triggers": triggers})
    return out


def _intents(svc: Services, conv_id: str) -> tuple[list[dict[str, Any]], str | None]:
    try:
        return intent_history(svc.rasa.tracker(conv_id)), None
    except BotUnavailable as exc:
        return [], f"Rasa tracker unavailable ({exc})"


def _orders(svc: Services, customer_id: str) -> list[dict[str, Any]]:
    out = []
    for o in svc.orders(customer_id):
        item = dict(o)
        item["address"] = mask(o["address"]) if o["address"] else ""
        out.append(item)
    return out


def build_packet(svc: Services, conv: Conversation, with_remote: bool = True) -> dict[str, Any]:
    messages = svc.store.messages(conv.id, limit=10_000)
    by_seq = {m.seq: m for m in messages}
    customer_texts = [m.text for m in messages if m.role == "customer"]
    bot_texts = [m.text for m in messages if m.role == "bot"]
    customer = svc.customer(conv.customer_id)
    profile = None
    if customer:
        profile = dict(customer, phone=mask_phone(customer["phone"]))
    intents, intents_error = _intents(svc, conv.id) if with_remote else ([], None)
    last_question = customer_texts[-1] if customer_texts else ""
    suggestions = svc.kb.suggest(last_question, conv.lang) if (with_remote and last_question) else []
    return {
        "reasons": _reasons(conv, by_seq),
        "priority": {"score": conv.priority, "parts": conv.priority_detail},
        "trajectory": _trajectory(messages),
        "intents": intents, "intents_error": intents_error,
        "customer": profile or {"id": conv.customer_id, "name": "?", "vip_tier": "unknown", "phone": "", "lang": ""},
        "orders": _orders(svc, conv.customer_id),
        "bot_said": [mask(t) for t in bot_texts[-8:]],
        "bot_promises": [mask(p) for p in promises(bot_texts)],
        "kb_question": mask(last_question), "kb_suggestions": suggestions,
        "summary": [mask(s) for s in summarise(customer_texts)],
        "notes": [{"agent_id": n.agent_id, "text": n.text, "at": n.created_at.isoformat()}
                  for n in svc.store.notes(conv.id)],
    }
