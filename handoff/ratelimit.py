"""Fixed-window rate limits per client and route group: in memory, or in Redis when configured."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from handoff.config import RateLimit


class RateLimiter(Protocol):
    def allow(self, key: str, limit: RateLimit) -> bool: ...


class MemoryRateLimiter:
    """One process only; windows are dropped once they are over."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def allow(self, key: str, limit: RateLimit) -> bool:
        window = int(self._clock() // limit.seconds)
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window - 1}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        return count <= limit.count


class RedisRateLimiter:
    """Shared by every bridge process: INCR on a per-window key that expires with the window."""

    def __init__(self, client: Any, prefix: str = "handoff:rl:", clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self._clock = clock

    def allow(self, key: str, limit: RateLimit) -> bool:
        window = int(self._clock() // limit.seconds)
        name = f"{self.prefix}{key}:{limit.seconds}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, limit.seconds + 1)
        count, _ = pipe.execute()
        return int(count) <= limit.count
