"""Action-server settings, read once from the environment and validated."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a number") from exc


@dataclass(frozen=True)
class Settings:
    """Where the action server finds its services, and the thresholds of the dialogue."""

    kb_url: str
    bridge_url: str
    service_token: str
    shop_database_url: str | None  # None: shop.default_url()
    http_timeout_s: float
    # two KB hits whose scores differ by less than this are offered as a choice
    kb_clarify_margin: float
    # consecutive not-understood messages before a human takes over
    max_failures: int
    # at most this many orders are listed as buttons
    max_order_buttons: int


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (environment read on first call only)."""
    max_failures = int(_float("BOT_MAX_FAILURES", 2))
    if max_failures < 1:
        raise SettingsError("BOT_MAX_FAILURES must be >= 1")
    return Settings(
        kb_url=os.environ.get("KB_URL", "http://127.0.0.1:8010").rstrip("/"),
        bridge_url=os.environ.get("BRIDGE_URL", "http://127.0.0.1:8000").rstrip("/"),
        service_token=os.environ.get("SERVICE_TOKEN", ""),
        shop_database_url=os.environ.get("SHOP_DATABASE_URL") or None,
        http_timeout_s=_float("ACTIONS_HTTP_TIMEOUT", 3.0),
        kb_clarify_margin=_float("BOT_KB_CLARIFY_MARGIN", 0.03),
        max_failures=max_failures,
        max_order_buttons=int(_float("BOT_MAX_ORDER_BUTTONS", 5)),
    )
