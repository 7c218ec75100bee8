"""Bridge settings: conf/bridge.yaml plus environment overrides, validated once at start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "conf" / "bridge.yaml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A bad setting; the message names the file and the field."""


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int


@dataclass(frozen=True)
class BusinessHours:
    timezone: str
    days: tuple[int, ...]  # 0 = Monday
    open_minute: int
    close_minute: int
    ticket_reply_hours: float


@dataclass(frozen=True)
class CannedReply:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class DemoAgent:
    username: str
    password: str
    role: str
    display_name: str


@dataclass(frozen=True)
class BridgeConfig:
    database_url: str
    rasa_url: str
    rasa_token: str
    action_server_url: str
    kb_url: str
    service_token: str
    secret_key: str
    redis_url: str | None
    shop_database_url: str
    hours: BusinessHours
    first_response_seconds: int
    avg_handle_seconds: float
    agent_online_seconds: float
    aging_seconds_per_point: float
    tier_points: Mapping[str, float]
    high_value_amount: float
    high_value_points: float
    emotion_points: float
    reason_points: Mapping[str, float]
    rasa_timeout: float
    health_timeout: float
    retry_interval: float
    escalate_after: float
    stuck_after: float
    limits: Mapping[str, RateLimit]
    max_text_chars: int
    max_note_chars: int
    max_client_msg_id_chars: int
    poll_wait_seconds: float
    db_check_seconds: float
    demo_agents: tuple[DemoAgent, ...]
    demo_customers: tuple[str, ...]
    resolution_codes: tuple[str, ...]
    canned_replies: tuple[CannedReply, ...]
    # while a conversation waits for a person: whole messages that only chase the wait (fullmatch)
    waiting_nudges: tuple[re.Pattern[str], ...] = ()
    run_worker: bool = True
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> BridgeConfig:
        return replace(self, **changes)


def _get(data: Mapping[str, Any], path: str, source: Path) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ConfigError(f"{source}: missing setting '{path}'")
        node = node[part]
    return node


def _minute(text: str, field_name: str, source: Path) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(text))
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise ConfigError(f"{source}: '{field_name}' must be HH:MM, got {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def _limit(text: str, name: str, source: Path) -> RateLimit:
    match = re.fullmatch(r"(\d+)/(\d+)", str(text))
    if not match or int(match.group(2)) == 0:
        raise ConfigError(f"{source}: 'limits.{name}' must be 'count/seconds', got {text!r}")
    return RateLimit(int(match.group(1)), int(match.group(2)))


def _patterns(items: Any, name: str, source: Path) -> tuple[re.Pattern[str], ...]:
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
        raise ConfigError(f"{source}: '{name}' must be a non-empty list of regular expressions")
    out = []
    for index, item in enumerate(items):
        try:
            out.append(re.compile(item))
        except re.error as exc:
            raise ConfigError(f"{source}: '{name}[{index}]' is not a valid regular expression: {exc}") from exc
    return tuple(out)


def _high_value_amount() -> float:
    """The order amount that counts as high value: owned by the handoff policy (conf/handoff.yaml), not repeated here."""
    from handoff.assess import ConfigError as PolicyError
    from handoff.assess import load_config as load_policy

    try:
        return load_policy().high_value.amount_threshold
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


def _var_dir() -> Path:
    return Path(os.environ.get("CS_VAR_DIR", ROOT / "var"))


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> BridgeConfig:
    """Read and validate the YAML file (default conf/bridge.yaml, or $BRIDGE_CONFIG)."""
    env = os.environ if env is None else env
    source = path or Path(env.get("BRIDGE_CONFIG", DEFAULT_CONFIG))
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from exc
    g = lambda key: _get(data, key, source)  # noqa: E731
    days = []
    for day in g("business_hours.days"):
        if day not in DAYS:
            raise ConfigError(f"{source}: business_hours.days: unknown day {day!r}")
        days.append(DAYS.index(day))
    hours = BusinessHours(
        timezone=str(g("business_hours.timezone")), days=tuple(days),
        open_minute=_minute(g("business_hours.open"), "business_hours.open", source),
        close_minute=_minute(g("business_hours.close"), "business_hours.close", source),
        ticket_reply_hours=float(g("business_hours.ticket_reply_hours")))
    var = _var_dir()
    return BridgeConfig(
        database_url=env.get("HANDOFF_DATABASE_URL", f"sqlite:///{var / 'handoff.db'}"),
        shop_database_url=env.get("SHOP_DATABASE_URL", f"sqlite:///{var / 'shop.db'}"),
        rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=env.get("RASA_TOKEN", ""),
        action_server_url=env.get("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook"),
        kb_url=env.get("KB_URL", "http://127.0.0.1:8010").rstrip("/"),
        service_token=env.get("SERVICE_TOKEN", ""),
        secret_key=env.get("FLASK_SECRET_KEY", ""),
        redis_url=env.get("REDIS_URL") or None,
        hours=hours,
        first_response_seconds=int(g("sla.first_response_seconds")),
        avg_handle_seconds=float(g("queue.avg_handle_seconds")),
        agent_online_seconds=float(g("queue.agent_online_seconds")),
        aging_seconds_per_point=float(g("queue.aging_seconds_per_point")),
        tier_points={str(k): float(v) for k, v in g("priority.tier").items()},
        high_value_amount=_high_value_amount(),
        high_value_points=float(g("priority.high_value_points")),
        emotion_points=float(g("priority.emotion_points")),
        reason_points={str(k): float(v) for k, v in g("priority.reason_points").items()},
        rasa_timeout=float(g("rasa.timeout_seconds")),
        health_timeout=float(g("rasa.health_timeout_seconds")),
        retry_interval=float(g("retry.interval_seconds")),
        escalate_after=float(g("retry.escalate_after_seconds")),
        stuck_after=float(g("retry.stuck_after_seconds")),
        limits={str(k): _limit(v, str(k), source) for k, v in g("limits").items()},
        max_text_chars=int(g("sizes.max_text_chars")),
        max_note_chars=int(g("sizes.max_note_chars")),
        max_client_msg_id_chars=int(g("sizes.max_client_msg_id_chars")),
        poll_wait_seconds=float(g("live.poll_wait_seconds")),
        db_check_seconds=float(g("live.db_check_seconds")),
        demo_agents=tuple(DemoAgent(str(a["username"]), str(a["password"]), str(a["role"]),
                                    str(a.get("display_name", a["username"]))) for a in g("demo_agents")),
        demo_customers=tuple(str(c) for c in g("demo_customers")),
        resolution_codes=tuple(str(c) for c in g("resolution_codes")),
        canned_replies=tuple(CannedReply(str(c["key"]), str(c["zh"]), str(c["en"])) for c in g("canned_replies")),
        waiting_nudges=_patterns(g("waiting.nudges"), "waiting.nudges", source),
        run_worker=env.get("BRIDGE_WORKER", "1") != "0",
    )
