"""Fixtures for the bridge: a real HTTP stub standing in for Rasa, a small shop, app factories."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from handoff.app import build_services, create_app
from handoff.clients.rasa import RasaClient
from handoff.clients.shop import CustomerInfo, OrderInfo
from handoff.config import BridgeConfig, BusinessHours, load_config
from handoff.decision import Turn, Verdict
from handoff.services import Services
from handoff.web.auth import create_agent

TOKEN = "rasa-test-token"
SERVICE_TOKEN = "service-test-token"


class RasaStub:
    """A tiny Rasa: answers the REST channel, records tracker events, can be switched 'down'."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.down = False
        self.silent = False  # answer the REST channel with an empty list, as Rasa does when it predicts nothing
        self.not_understood = False  # answer like the bot's "not understood" response: text, then its custom flag
        self.paused: set[str] = set()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                if stub.down:
                    self._reply(503, {})
                    return
                m = re.match(r"/conversations/([^/]+)/tracker", self.path)
                if m:
                    stub.calls.append(("tracker", m.group(1), None))
                    self._reply(200, {"events": [{"event": "user", "text": "where is my order",
                                                  "parse_data": {"intent": {"name": "order_status",
                                                                            "confidence": 0.93}}}]})
                    return
                self._reply(200, {"version": "stub"})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if stub.down:
                    self._reply(503, {"error": "down"})
                    return
                if self.path.startswith("/webhooks/rest/webhook"):
                    stub.calls.append(("message", body["sender"], body))
                    reply = [{"recipient_id": body["sender"], "text": f"bot: {body['message']}"}]
                    if stub.not_understood:
                        reply.append({"recipient_id": body["sender"], "custom": {"fallback": True}})
                    self._reply(200, [] if stub.silent else reply)
                    return
                m = re.match(r"/conversations/([^/]+)/tracker/events\?token=(.+)", self.path)
                if m and m.group(2) == TOKEN:
                    for event in body if isinstance(body, list) else [body]:  # Rasa takes one event or a list
                        stub.calls.append((event["event"], m.group(1), event))
                        if event["event"] in ("pause", "resume"):
                            (stub.paused.add if event["event"] == "pause" else stub.paused.discard)(m.group(1))
                    self._reply(200, {})
                    return
                self._reply(401, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, kind: str) -> list[str]:
        return [conv for k, conv, _ in self.calls if k == kind]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DemoShop:
    """Two customers with orders: enough for priority and the context packet."""

    def customer(self, customer_id: str) -> CustomerInfo | None:
        table = {"C1001": CustomerInfo(id="C1001", name="张伟", phone="13800001001", vip_tier="gold", lang="zh"),
                 "C1002": CustomerInfo(id="C1002", name="Emily Chen", phone="13900001002", vip_tier="none",
                                       lang="en")}
        return table.get(customer_id)

    def orders(self, customer_id: str) -> list[OrderInfo]:
        if customer_id != "C1001":
            return []
        return [OrderInfo(id="E2026110001", status="shipped", amount=4999.0, category="appliance",
                          items="冰箱 x1", address="浙江省杭州市西湖区文三路88号3栋501室",
                          tracking=[{"courier": "SF", "tracking_no": "SF123", "status": "in_transit", "eta": None,
                                     "delay_cause": "weather", "last_event": "杭州转运中心"}], refunds=[])]


def keyword_assessor(turns: Sequence[Turn], customer: CustomerInfo | None, orders: Sequence[OrderInfo]) -> Verdict:
    """Deterministic stand-in for handoff.assess so these tests check the bridge, not the rules."""
    last = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].role == "customer"), None)
    if last is None:
        return Verdict(False, ())
    text = turns[last].text
    anger = 0.9 if ("angry" in text or "气死" in text) else 0.1
    scores = {"anger": anger}
    msg = [{"index": last, "text": text}]
    if anger > 0.5:
        return Verdict(True, ({"code": "anger", "explanation": "angry", "messages": msg},), scores)
    if "人工" in text or "human" in text:
        return Verdict(True, ({"code": "explicit_human", "explanation": "asked", "messages": msg},), scores)
    return Verdict(False, (), scores)


@pytest.fixture()
def rasa_stub() -> Iterator[RasaStub]:
    stub = RasaStub()
    yield stub
    stub.close()


def test_config(db_url: str, rasa_url: str, **changes: Any) -> BridgeConfig:
    base = load_config(env={"HANDOFF_DATABASE_URL": db_url, "RASA_URL": rasa_url, "RASA_TOKEN": TOKEN,
                            "SERVICE_TOKEN": SERVICE_TOKEN, "KB_URL": "http://127.0.0.1:9",
                            "ACTION_SERVER_URL": "", "FLASK_SECRET_KEY": "test-secret"})
    always = BusinessHours("UTC", tuple(range(7)), 0, 24 * 60, 4)
    return base.with_(testing=True, hours=always, **changes)


test_config.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.db'}"


AppFactory = Callable[..., Flask]


@pytest.fixture()
def make_app(db_url: str, rasa_stub: RasaStub) -> AppFactory:
    def factory(url: str | None = None, **changes: Any) -> Flask:
        config = test_config(url or db_url, rasa_stub.url, **changes)
        rasa = RasaClient(config.rasa_url, config.rasa_token, "", timeout=5, health_timeout=1)
        svc = build_services(config, rasa=rasa, shop=DemoShop(), assessor=keyword_assessor)
        return create_app(config, services=svc)

    return factory


@pytest.fixture()
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def services_of(app: Flask) -> Services:
    return app.extensions["handoff"]  # type: ignore[no-any-return]


def start_conversation(client: FlaskClient, customer_id: str = "C1001") -> tuple[str, dict[str, str]]:
    resp = client.post("/api/conversations", json={"customer_id": customer_id})
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body is not None
    return body["conversation_id"], {"Authorization": f"Bearer {body['customer_token']}"}


def say(client: FlaskClient, conv_id: str, headers: dict[str, str], text: str, cmid: str) -> Any:
    return client.post(f"/api/conversations/{conv_id}/messages", json={"text": text, "client_msg_id": cmid},
                       headers=headers)


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


def login_agent(app: Flask, username: str = "agent1", role: str = "agent") -> tuple[FlaskClient, str]:
    """A logged-in console client and its CSRF token."""
    svc = services_of(app)
    if svc.store.agent_by_username(username) is None:
        create_agent(svc.store, username, f"{username}-password", role)
    agent = app.test_client()
    page = agent.get("/console/login").get_data(as_text=True)
    resp = agent.post("/console/login", data={"username": username, "password": f"{username}-password",
                                              "csrf_token": csrf_from(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return agent, csrf_from(agent.get("/console/").get_data(as_text=True))
