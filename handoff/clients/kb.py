"""Knowledge-base service client: suggestions for the agent's context packet."""

from __future__ import annotations

from typing import Any, Protocol

import requests


class KbApi(Protocol):
    def suggest(self, query: str, lang: str | None, top_k: int = 3) -> list[dict[str, Any]]: ...


class KbClient:
    def __init__(self, base_url: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()

    def suggest(self, query: str, lang: str | None, top_k: int = 3) -> list[dict[str, Any]]:
        """Top hits of POST /search; empty when the service is down (the console says so)."""
        try:
            resp = self.http.post(f"{self.base_url}/search", json={"query": query, "top_k": top_k, "lang": lang, "log_miss": False},
                                  timeout=self.timeout)
            if resp.status_code != 200:
                return []
            hits = resp.json().get("hits") or []
        except (requests.RequestException, ValueError):
            return []
        return [{"id": h.get("id"), "title": h.get("title"), "answer": h.get("answer"),
                 "score": round(float(h.get("score") or 0.0), 3)} for h in hits if isinstance(h, dict)]
