"""Queue priority and wait estimates (pure): VIP tier, order value, emotion, reasons, waiting time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.config import BridgeConfig


@dataclass(frozen=True)
class Priority:
    score: float
    parts: dict[str, float]


def emotion_level(scores: Mapping[str, Any]) -> float:
    """The strongest anger/emotion number in a decision's scores, clipped to [0, 1]."""
    best = 0.0
    for key, value in scores.items():
        if not any(word in key for word in ("anger", "emotion", "distress")):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, (int, float)) and not math.isnan(v):
                best = max(best, float(v))
    return min(1.0, max(0.0, best))


def message_emotion(scores: Mapping[str, Any]) -> float:
    """The emotion of the newest customer message in a decision (last point of its trajectory)."""
    trajectory = scores.get("emotion_trajectory")
    if isinstance(trajectory, list) and trajectory and isinstance(trajectory[-1], (int, float)):
        return min(1.0, max(0.0, float(trajectory[-1])))
    anger = scores.get("anger")
    if isinstance(anger, (int, float)):
        return min(1.0, max(0.0, float(anger)))
    return emotion_level(scores)


def priority(config: BridgeConfig, vip_tier: str | None, order_amounts: Iterable[float],
             scores: Mapping[str, Any], reason_codes: Sequence[str]) -> Priority:
    parts = {
        "vip": config.tier_points.get(vip_tier or "none", 0.0),
        "value": config.high_value_points if max(order_amounts, default=0.0) >= config.high_value_amount else 0.0,
        "emotion": round(config.emotion_points * emotion_level(scores), 2),
        "reasons": max((config.reason_points.get(code, 0.0) for code in reason_codes), default=0.0),
    }
    return Priority(round(sum(parts.values()), 2), parts)


def rescore(config: BridgeConfig, previous: Mapping[str, Any], vip_tier: str | None,
            order_amounts: Iterable[float], scores: Mapping[str, Any], reason_codes: Sequence[str]) -> Priority:
    """The priority of a conversation that already waits, after a new message: every reason so far
    counts, and the emotion part keeps the strongest level seen (a calmer message does not demote it)."""
    fresh = priority(config, vip_tier, order_amounts, scores, reason_codes)
    before = previous.get("emotion")
    emotion = max(fresh.parts["emotion"], float(before) if isinstance(before, (int, float)) else 0.0)
    parts = dict(fresh.parts, emotion=emotion)
    return Priority(round(sum(parts.values()), 2), parts)


def effective(config: BridgeConfig, score: float, queued_at: datetime | None, now: datetime) -> float:
    """Priority plus ageing, so a long wait eventually beats a higher tier."""
    if queued_at is None:
        return score
    return score + max(0.0, (now - queued_at).total_seconds()) / config.aging_seconds_per_point


def expected_wait_seconds(position: int, agents_online: int, avg_handle_seconds: float) -> float:
    """Position 1 with a free agent waits ~nothing; otherwise whole rounds of handling time."""
    if agents_online <= 0:
        return math.inf
    return math.ceil(position / agents_online - 1e-9) * avg_handle_seconds / 2.0 if position > 0 else 0.0
