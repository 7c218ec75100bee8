"""Shared request helpers: the app's Services, rate limits, client identity."""

from __future__ import annotations

from flask import current_app, request

from handoff.errors import ApiError
from handoff.services import Services


def services() -> Services:
    return current_app.extensions["handoff"]  # type: ignore[no-any-return]


def client_key() -> str:
    # Behind a trusted proxy set ProxyFix; here the peer address is the client.
    return request.remote_addr or "unknown"


def rate_limit(group: str, key: str | None = None) -> None:
    svc = services()
    limit = svc.config.limits.get(group)
    if limit is None:
        return
    if not svc.limiter.allow(f"{group}:{key or client_key()}", limit):
        raise ApiError(429, "rate_limited", f"too many requests ({limit.count} per {limit.seconds}s); slow down")


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Customer-Token", "").strip()
