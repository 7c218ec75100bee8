"""Throwaway PostgreSQL databases, Redis listeners and a bridge customer client for the production tests."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("PROD_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("PROD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCK_DB = 1  # conf/production/endpoints.yml: lock_store.db
LOCK_PREFIX = "csbot:lock:"  # conf/production/endpoints.yml: key_prefix + Rasa's "lock:"
RATE_LIMIT_PREFIX = "handoff:rl:"  # handoff.ratelimit.RedisRateLimiter
UPDATES_CHANNEL = "handoff:updates"  # handoff.live.CHANNEL


def unreachable_reason(admin_url: str = PG_ADMIN_URL, redis_url: str = REDIS_URL) -> str | None:
    """Why PostgreSQL or Redis cannot be used here, or None when both answer."""
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        return f"PostgreSQL not reachable at {make_url(admin_url).render_as_string(hide_password=True)}: " \
               f"{exc.__class__.__name__}"
    finally:
        engine.dispose()
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis not reachable at {redis_url}: {exc.__class__.__name__}"
    return None


class ThrowawayDatabases:
    """PostgreSQL databases with unique names, all dropped (connections forced off) by drop_all()."""

    def __init__(self, admin_url: str = PG_ADMIN_URL, prefix: str = "cs_prod_test") -> None:
        self.admin_url = make_url(admin_url)
        self.prefix = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.names: dict[str, str] = {}

    def create(self, role: str) -> URL:
        name = f"{self.prefix}_{role}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.names[role] = name
        return self.url(role)

    def url(self, role: str) -> URL:
        return self.admin_url.set(database=self.names[role])

    def url_text(self, role: str) -> str:
        return self.url(role).render_as_string(hide_password=False)

    def query(self, role: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        engine = sa.create_engine(self.url(role))
        try:
            with engine.begin() as conn:
                result = conn.execute(sa.text(sql), params)
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()
        self.admin.dispose()


def production_env(dbs: ThrowawayDatabases, kb_dir: Path, redis_url: str = REDIS_URL) -> dict[str, str]:
    """The variables of conf/production/production.env.example, pointed at the throwaway databases.

    RASA_DB_* and the lock store's REDIS_* are set only when a "rasa" database exists.
    """
    env = {
        "SHOP_DATABASE_URL": dbs.url_text("shop"),
        "HANDOFF_DATABASE_URL": dbs.url_text("bridge"),
        "REDIS_URL": redis_url,
        "KB_DIR": str(kb_dir),
        "BRIDGE_WORKER": "1",
    }
    if "rasa" in dbs.names:
        rasa = dbs.url("rasa")
        redis_parts = urlsplit(redis_url)
        env.update({
            "RASA_DB_HOST": rasa.host or "127.0.0.1",
            "RASA_DB_PORT": str(rasa.port or 5432),
            "RASA_DB_NAME": rasa.database or "",
            "RASA_DB_USER": rasa.username or "postgres",
            "RASA_DB_PASSWORD": rasa.password or "",
            "REDIS_HOST": redis_parts.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis_parts.port or 6379),
            "REDIS_PASSWORD": redis_parts.password or "",
        })
    return env


@dataclass
class RedisListener:
    """Collects pub/sub messages (channels and patterns) on a background thread, without MONITOR.

    With `keyspace_events`, Redis keyspace notifications are switched on for the duration and the
    previous server setting is restored on exit.
    """

    client: Any
    channels: Iterable[str] = ()
    patterns: Iterable[str] = ()
    keyspace_events: str = ""
    received: list[tuple[str, str]] = field(default_factory=list)
    _old_setting: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RedisListener:
        if self.keyspace_events:
            self._old_setting = str(self.client.config_get("notify-keyspace-events").get("notify-keyspace-events", ""))
            merged = "".join(sorted(set(self._old_setting) | set(self.keyspace_events)))
            self.client.config_set("notify-keyspace-events", merged)
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        if list(self.channels):
            pubsub.subscribe(*self.channels)
        if list(self.patterns):
            pubsub.psubscribe(*self.patterns)

        def loop() -> None:
            while not self._stop.is_set():
                msg = pubsub.get_message(timeout=0.2)
                if msg:
                    self.received.append((_text(msg["channel"]), _text(msg["data"])))
            pubsub.close()

        self._thread = threading.Thread(target=loop, name="redis-listener", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.3)  # let the last notifications arrive
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._old_setting is not None:
            self.client.config_set("notify-keyspace-events", self._old_setting)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class CustomerChat:
    """A customer of the bridge's JSON API (start, send with client_msg_id, read)."""

    def __init__(self, base_url: str, customer_id: str, timeout: float = 90.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        resp = requests.post(f"{self.base_url}/api/conversations", json={"customer_id": customer_id}, timeout=10)
        resp.raise_for_status()
        body = resp.json()
        self.id: str = body["conversation_id"]
        self.token: str = body["customer_token"]
        self.lang: str = body["lang"]
        self.sent = 0

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, text: str) -> dict[str, Any]:
        self.sent += 1
        resp = requests.post(f"{self.base_url}/api/conversations/{self.id}/messages", headers=self.headers,
                             json={"text": text, "client_msg_id": f"m{self.sent}"}, timeout=self.timeout)
        resp.raise_for_status()
        return dict(resp.json())

    def messages(self, after: int = 0) -> list[dict[str, Any]]:
        resp = requests.get(f"{self.base_url}/api/conversations/{self.id}/messages", headers=self.headers,
                            params={"after": after}, timeout=self.timeout)
        resp.raise_for_status()
        return list(resp.json()["messages"])

    def say(self, text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Send; return the send result and every non-customer message stored after it."""
        sent = self.send(text)
        replies = [m for m in self.messages(after=sent["seq"]) if m["role"] != "customer"]
        return sent, replies
