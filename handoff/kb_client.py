"""Knowledge-base service client for the admin area: entry CRUD, manifest and the miss list over HTTP."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

import requests


class KbUnavailable(RuntimeError):
    """The KB service did not answer (down, timeout, not JSON)."""


class KbRejected(RuntimeError):
    """The KB service answered with a JSON error; ``field`` names the offending field when it knows it."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


class KbAdminApi(Protocol):
    def health(self) -> dict[str, Any]: ...
    def list_entries(self, kind: str | None = None, q: str | None = None) -> list[dict[str, Any]]: ...
    def get_entry(self, entry_id: str) -> dict[str, Any] | None: ...
    def put_entry(self, entry_id: str, record: dict[str, Any]) -> dict[str, Any]: ...
    def delete_entry(self, entry_id: str) -> None: ...
    def misses(self, limit: int = 50) -> list[dict[str, Any]] | None: ...


class KbAdminClient:
    """Writes carry the shared bearer SERVICE_TOKEN; reads are open like the service's."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout  # a write re-encodes one entry: slower than a search on a cold encoder
        self.http = session or requests.Session()

    def _call(self, method: str, path: str, *, auth: bool = False, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        try:
            return self.http.request(method, f"{self.base_url}{path}", headers=headers, timeout=self.timeout,
                                     **kwargs)
        except requests.RequestException as exc:
            raise KbUnavailable(f"knowledge-base service at {self.base_url} not reachable "
                                f"({type(exc).__name__})") from None

    @staticmethod
    def _json(resp: requests.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            raise KbUnavailable(f"knowledge-base service answered HTTP {resp.status_code} without JSON") from None
        if resp.status_code >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            err = err if isinstance(err, dict) else {}
            raise KbRejected(resp.status_code, str(err.get("code") or "error"),
                             str(err.get("message") or f"HTTP {resp.status_code}"), err.get("field"))
        if not isinstance(body, dict):
            raise KbUnavailable("knowledge-base service answered with a non-object")
        return body

    def health(self) -> dict[str, Any]:
        return self._json(self._call("GET", "/health"))

    def list_entries(self, kind: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("kind", kind), ("q", q)) if v}
        return list(self._json(self._call("GET", "/entries", params=params)).get("entries") or [])

    def get_entry(self, entry_id: str) -> dict[str, Any] | None:
        resp = self._call("GET", f"/entries/{quote(entry_id, safe='')}")
        if resp.status_code == 404:
            return None
        return self._json(resp)

    def put_entry(self, entry_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return self._json(self._call("PUT", f"/entries/{quote(entry_id, safe='')}",
                                     auth=True, json=record))

    def delete_entry(self, entry_id: str) -> None:
        self._json(self._call("DELETE", f"/entries/{quote(entry_id, safe='')}", auth=True))

    def misses(self, limit: int = 50) -> list[dict[str, Any]] | None:
        """Grouped misses, or None when this KB service has no /misses endpoint yet."""
        resp = self._call("GET", "/misses", params={"limit": limit}, auth=True)
        if resp.status_code == 404:
            return None
        return list(self._json(resp).get("misses") or [])
