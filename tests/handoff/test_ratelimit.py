"""Rate limits: in memory by default, Redis when configured; the API answers 429 JSON."""

from __future__ import annotations

import uuid

import pytest

from handoff.config import RateLimit
from handoff.ratelimit import MemoryRateLimiter, RedisRateLimiter
from tests.handoff.conftest import AppFactory, say, start_conversation


def test_memory_limiter_window() -> None:
    now = [1000.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    limit = RateLimit(2, 60)
    assert [limiter.allow("k", limit) for _ in range(3)] == [True, True, False]
    assert limiter.allow("other", limit)
    now[0] += 60
    assert limiter.allow("k", limit)


def test_api_answers_429_when_limit_hit(make_app: AppFactory) -> None:
    app = make_app(limits={"customer_message": RateLimit(3, 60), "conversation_create": RateLimit(100, 60)})
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    codes = [say(client, conv_id, auth, f"msg {i}", f"id{i}").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    assert say(client, conv_id, auth, "x", "id9").json["error"]["code"] == "rate_limited"


@pytest.mark.redis
def test_redis_limiter_is_shared_between_instances() -> None:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    prefix = f"handoff-test:{uuid.uuid4().hex}:"
    one, two = RedisRateLimiter(client, prefix), RedisRateLimiter(client, prefix)
    limit = RateLimit(3, 60)
    results = [one.allow("ip", limit), two.allow("ip", limit), one.allow("ip", limit), two.allow("ip", limit)]
    assert results == [True, True, True, False]
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
