"""Wake-ups for long-polling readers: in-process condition, optional Redis pub/sub across processes.

The database stays the source of truth: a woken reader re-queries it, and a reader that is never
woken still re-reads the DB every `db_check_seconds`, so another process's writes are seen too.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
CHANNEL = "handoff:updates"


class Notifier:
    def __init__(self, redis_client: Any | None = None) -> None:
        self._cond = threading.Condition()
        self._version = 0
        self._redis = redis_client
        self._listener: threading.Thread | None = None

    @property
    def version(self) -> int:
        return self._version

    def notify(self, publish: bool = True) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()
        if publish and self._redis is not None:
            try:
                self._redis.publish(CHANNEL, "1")
            except Exception as exc:  # noqa: BLE001 - a broken fan-out must not fail a write
                log.warning("redis publish failed: %s", exc)

    def wait(self, since_version: int, timeout: float) -> bool:
        """Block until a notify after `since_version` or timeout; True if something changed."""
        with self._cond:
            if self._version != since_version:
                return True
            self._cond.wait(timeout)
            return self._version != since_version

    def start_redis_listener(self) -> None:
        """Relay other processes' notifications (production fan-out)."""
        if self._redis is None or self._listener is not None:
            return
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)

        def loop() -> None:
            for _message in pubsub.listen():
                self.notify(publish=False)

        self._listener = threading.Thread(target=loop, name="handoff-redis-listener", daemon=True)
        self._listener.start()
