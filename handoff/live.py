"""Wake-ups for long-polling readers: in-process condition per topic, optional Redis pub/sub fan-out.

The database stays the source of truth: a woken reader re-queries it, and a reader that is never
woken still re-reads the DB every `db_check_seconds`, so another process's writes are seen too.
Topics: ALL (any change: agents' queue and feed) and one per conversation (its customer).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)
CHANNEL = "handoff:updates"
ALL = "*"
T = TypeVar("T")


class Notifier:
    def __init__(self, redis_client: Any | None = None) -> None:
        self._cond = threading.Condition()
        self._versions: dict[str, int] = {}
        self._redis = redis_client
        self._listener: threading.Thread | None = None

    def version(self, topic: str = ALL) -> int:
        return self._versions.get(topic, 0)

    def notify(self, conversation_id: str | None = None, publish: bool = True) -> None:
        with self._cond:
            self._versions[ALL] = self._versions.get(ALL, 0) + 1
            if conversation_id:
                if len(self._versions) > 50_000:  # versions only need to differ, not to persist
                    self._versions = {ALL: self._versions[ALL]}
                self._versions[conversation_id] = self._versions.get(conversation_id, 0) + 1
            self._cond.notify_all()
        if publish and self._redis is not None:
            try:
                self._redis.publish(CHANNEL, conversation_id or "")
            except Exception as exc:  # noqa: BLE001 - a broken fan-out must not fail a write
                log.warning("redis publish failed: %s", exc)

    def wait(self, topic: str, since_version: int, timeout: float) -> bool:
        """Block until the topic changes after `since_version` or timeout; True if it changed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._versions.get(topic, 0) == since_version:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def start_redis_listener(self) -> None:
        """Relay other processes' notifications (production fan-out)."""
        if self._redis is None or self._listener is not None:
            return
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)

        def loop() -> None:
            for message in pubsub.listen():
                data = message.get("data")
                conv = data.decode() if isinstance(data, bytes) else str(data or "")
                self.notify(conv or None, publish=False)

        self._listener = threading.Thread(target=loop, name="handoff-redis-listener", daemon=True)
        self._listener.start()


def long_poll(notifier: Notifier, topic: str, fetch: Callable[[], Sequence[T]], wait_seconds: float,
              db_check_seconds: float, settle_seconds: float = 0.0) -> Sequence[T]:
    """fetch() until it returns something or wait_seconds pass. `settle_seconds` lets a woken reader
    batch a burst of writes into one query (agents' feeds under load)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        version = notifier.version(topic)
        items = fetch()
        remaining = deadline - time.monotonic()
        if items or remaining <= 0:
            return items
        if notifier.wait(topic, version, min(remaining, db_check_seconds)) and settle_seconds:
            time.sleep(settle_seconds)
