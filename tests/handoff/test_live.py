"""Live updates: topic wake-ups, long-poll returns at once on a write, and times out otherwise."""

from __future__ import annotations

import threading
import time

import pytest

from handoff.live import ALL, Notifier, long_poll


def test_wait_wakes_only_for_its_topic() -> None:
    n = Notifier()
    v_a, v_all = n.version("a"), n.version(ALL)
    n.notify("b")
    assert n.version("a") == v_a and n.version(ALL) == v_all + 1
    assert n.wait("a", v_a, 0.05) is False
    assert n.wait(ALL, v_all, 0.05) is True


def test_long_poll_returns_soon_after_a_write() -> None:
    n = Notifier()
    box: list[int] = []
    threading.Timer(0.1, lambda: (box.append(1), n.notify("c"))).start()
    start = time.monotonic()
    got = long_poll(n, "c", lambda: list(box), wait_seconds=5, db_check_seconds=2)
    assert got == [1] and time.monotonic() - start < 1.0


def test_long_poll_sees_other_processes_by_rechecking_the_db() -> None:
    n = Notifier()  # never notified: a write made by another process
    box: list[int] = []
    threading.Timer(0.1, lambda: box.append(1)).start()
    got = long_poll(n, "c", lambda: list(box), wait_seconds=5, db_check_seconds=0.05)
    assert got == [1]
    assert long_poll(n, "d", lambda: [], wait_seconds=0.1, db_check_seconds=0.05) == []


@pytest.mark.redis
def test_redis_fan_out_wakes_other_processes() -> None:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    writer, reader = Notifier(client), Notifier(redis.Redis.from_url("redis://127.0.0.1:6379/0"))
    reader.start_redis_listener()
    time.sleep(0.2)  # subscription established
    before = reader.version("conv-x")
    writer.notify("conv-x")
    assert reader.wait("conv-x", before, 3.0) is True
