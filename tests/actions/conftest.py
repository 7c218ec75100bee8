"""Fixtures for action tests: the demo shop in temp SQLite, a real KB service over HTTP, a recording bridge."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from action_helpers import NOW

from actions.clients import BridgeClient, KbClient, Services, set_services
from shop import ShopRepository, make_engine
from shop.setup import load_demo

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> ShopRepository:
    """A fresh demo shop per test (writes such as cancellations stay local to the test)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_demo(engine, now=NOW)
    return ShopRepository(engine, clock=lambda: NOW)


class _ServerThread:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def kb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real KB Flask service over the demo knowledge base (hashing encoder: fast, no model)."""
    from werkzeug.serving import make_server

    from kb.encoders.hashing import HashingEncoder
    from kb.server import create_app
    from kb.setup import prepare_demo

    kb_dir = tmp_path_factory.mktemp("kb") / "kb"
    prepare_demo(ROOT, kb_dir=kb_dir, encoder=HashingEncoder())
    app = create_app(kb_dir, HashingEncoder(), token="test-token")
    srv = _ServerThread(make_server("127.0.0.1", 0, app, threaded=True))
    yield srv.url
    srv.stop()


class BridgeRecorder:
    """A stand-in bridge over real HTTP that records handoff notices."""

    def __init__(self) -> None:
        self.notices: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/api/internal/handoff":
                    recorder.notices.append(json.loads(body))
                    recorder.auth.append(self.headers.get("Authorization"))
                    self.send_response(201)
                else:
                    self.send_response(404)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._srv = _ServerThread(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
        self.url = self._srv.url

    def stop(self) -> None:
        self._srv.stop()


@pytest.fixture
def bridge() -> Iterator[BridgeRecorder]:
    rec = BridgeRecorder()
    yield rec
    rec.stop()


@pytest.fixture
def services(shop: ShopRepository, kb_url: str, bridge: BridgeRecorder) -> Iterator[Services]:
    svc = Services(shop=shop, kb=KbClient(kb_url, 5.0), bridge=BridgeClient(bridge.url, "svc-token", 2.0))
    set_services(svc)
    yield svc
    set_services(None)


