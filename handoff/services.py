"""The bridge's injected dependencies, bundled once per app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.clients.kb import KbApi
from handoff.clients.rasa import RasaApi
from handoff.clients.shop import CustomerInfo, OrderInfo, ShopApi
from handoff.config import BridgeConfig
from handoff.decision import Assessor
from handoff.live import Notifier
from handoff.ratelimit import RateLimiter
from handoff.store.repo import Store, utcnow


@dataclass(frozen=True)
class Services:
    config: BridgeConfig
    store: Store
    rasa: RasaApi
    kb: KbApi
    shop: ShopApi | None
    assessor: Assessor
    notifier: Notifier
    limiter: RateLimiter
    clock: Callable[[], datetime] = utcnow

    def customer(self, customer_id: str) -> CustomerInfo | None:
        if self.shop is None:
            return None
        try:
            return self.shop.customer(customer_id)
        except Exception:  # noqa: BLE001 - shop DB trouble must not block the chat
            return None

    def orders(self, customer_id: str) -> list[OrderInfo]:
        if self.shop is None:
            return []
        try:
            return self.shop.orders(customer_id)
        except Exception:  # noqa: BLE001
            return []

    def extra(self, key: str, default: Any = None) -> Any:
        return self.config.extra.get(key, default)
