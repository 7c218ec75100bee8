"""HTTP clients of the action server (KB service, handoff bridge) and the lazily built service set."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

import requests

from actions.config import Settings, get_settings
from shop import ShopRepository, make_engine

log = logging.getLogger(__name__)


class KbError(RuntimeError):
    """The KB service could not answer (down, timeout, bad reply)."""


class KbHit(TypedDict, total=False):
    id: str
    kind: str
    score: float
    title: str
    answer: str
    matched: str
    tags: list[str]
    meta: dict[str, Any]


class KbResult(TypedDict):
    query: str
    lang: str
    in_scope: bool
    threshold: float
    hits: list[KbHit]


class KbSearch(Protocol):
    def search(self, query: str, lang: str | None = None, kinds: list[str] | None = None, top_k: int = 5) -> KbResult: ...


class HandoffNotifier(Protocol):
    def notify_handoff(self, conversation_id: str, facts: list[str], detail: str, intent: str) -> bool: ...


class KbClient:
    """`POST $KB_URL/search` over HTTP."""

    def __init__(self, base_url: str, timeout_s: float = 3.0, session: requests.Session | None = None) -> None:
        self._url = base_url.rstrip("/")
        self._timeout = timeout_s
        self._http = session or requests.Session()

    def search(self, query: str, lang: str | None = None, kinds: list[str] | None = None, top_k: int = 5) -> KbResult:
        body = {"query": query, "top_k": top_k, "lang": lang, "kinds": kinds}
        try:
            reply = self._http.post(f"{self._url}/search", json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise KbError(f"KB service unreachable at {self._url}: {exc}") from exc
        if reply.status_code != 200:
            raise KbError(f"KB search failed: HTTP {reply.status_code} {reply.text[:200]}")
        try:
            data = reply.json()
            data["hits"] = list(data.get("hits") or [])
        except (ValueError, AttributeError) as exc:
            raise KbError("KB search returned malformed JSON") from exc
        return data  # type: ignore[no-any-return]


class BridgeClient:
    """Reports handoff facts to the bridge (which decides); never raises."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 3.0, session: requests.Session | None = None) -> None:
        self._url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout_s
        self._http = session or requests.Session()

    def notify_handoff(self, conversation_id: str, facts: list[str], detail: str, intent: str) -> bool:
        body = {"conversation_id": conversation_id, "facts": facts, "detail": detail, "intent": intent}
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            reply = self._http.post(f"{self._url}/api/internal/handoff", json=body, headers=headers, timeout=self._timeout)
        except requests.RequestException as exc:
            log.warning("handoff notice for %s not delivered (bridge down?): %s", conversation_id, exc)
            return False
        if reply.status_code >= 300:
            log.warning("handoff notice for %s refused: HTTP %s %s", conversation_id, reply.status_code, reply.text[:200])
            return False
        return True


@dataclass
class Services:
    """The I/O the actions need; tests hand in their own."""

    shop: ShopRepository
    kb: KbSearch
    bridge: HandoffNotifier


_lock = threading.Lock()
_services: Services | None = None


def build_services(settings: Settings) -> Services:
    return Services(
        shop=ShopRepository(make_engine(settings.shop_database_url)),
        kb=KbClient(settings.kb_url, settings.http_timeout_s),
        bridge=BridgeClient(settings.bridge_url, settings.service_token, settings.http_timeout_s),
    )


def get_services() -> Services:
    """The process-wide services, built on first use (never at import)."""
    global _services
    with _lock:
        if _services is None:
            _services = build_services(get_settings())
        return _services


def set_services(services: Services | None) -> None:
    """Inject services (tests) or forget them (None)."""
    global _services
    with _lock:
        _services = services
