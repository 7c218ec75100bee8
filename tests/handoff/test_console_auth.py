"""Console security: login with hashed passwords, sessions, CSRF on every state change, role checks."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from handoff.web.auth import create_agent
from tests.handoff.conftest import RasaStub, csrf_from, login_agent, say, services_of, start_conversation


def test_passwords_are_hashed_and_wrong_password_rejected(app: Flask) -> None:
    svc = services_of(app)
    agent = create_agent(svc.store, "zoe", "correct-horse", "agent")
    assert "correct-horse" not in agent.password_hash and agent.password_hash.startswith(("scrypt:", "pbkdf2:"))
    c = app.test_client()
    page = c.get("/console/login").get_data(as_text=True)
    bad = c.post("/console/login", data={"username": "zoe", "password": "wrong", "csrf_token": csrf_from(page)})
    assert bad.status_code == 401 and "Wrong username or password" in bad.get_data(as_text=True)
    assert c.get("/console/").status_code == 302


def test_login_form_without_csrf_token_is_refused(app: Flask) -> None:
    create_agent(services_of(app).store, "zoe", "correct-horse", "agent")
    c = app.test_client()
    resp = c.post("/console/login", data={"username": "zoe", "password": "correct-horse"})
    assert resp.status_code in (400, 401) and c.get("/console/").status_code == 302


def test_console_api_requires_login_and_csrf(app: Flask) -> None:
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "转人工", "m1")
    anon = app.test_client()
    assert anon.get("/console/api/queue").status_code == 401
    assert anon.get("/console/api/queue").json["error"]["code"] == "login_required"
    agent, csrf = login_agent(app)
    no_csrf = agent.post(f"/console/api/conversations/{conv_id}/claim", json={})
    assert no_csrf.status_code == 400
    assert services_of(app).store.conversation(conv_id).status == "queued"  # type: ignore[union-attr]
    ok = agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200


def test_other_agent_cannot_reply_but_supervisor_can_and_transfer_works(app: Flask) -> None:
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "转人工", "m1")
    a1, t1 = login_agent(app, "agent1")
    a2, t2 = login_agent(app, "agent2")
    boss, tb = login_agent(app, "boss", role="supervisor")
    base = f"/console/api/conversations/{conv_id}"
    a1.post(f"{base}/claim", json={}, headers={"X-CSRFToken": t1})
    assert a2.post(f"{base}/reply", json={"text": "hi"}, headers={"X-CSRFToken": t2}).status_code == 403
    assert boss.post(f"{base}/reply", json={"text": "supervisor here"}, headers={"X-CSRFToken": tb}).status_code == 201
    moved = a1.post(f"{base}/transfer", json={"to": "agent2"}, headers={"X-CSRFToken": t1}).json
    assert moved["assigned_agent_id"] == services_of(app).store.agent_by_username("agent2").id  # type: ignore[union-attr]
    assert a2.post(f"{base}/reply", json={"text": "agent2 now"}, headers={"X-CSRFToken": t2}).status_code == 201
    back = a2.post(f"{base}/transfer", json={"to": "queue"}, headers={"X-CSRFToken": t2}).json
    assert back["status"] == "queued"


def test_console_pages_render(app: Flask) -> None:
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "转人工", "m1")
    agent, _ = login_agent(app)
    queue = agent.get("/console/").get_data(as_text=True)
    assert conv_id in queue
    page = agent.get(f"/console/c/{conv_id}").get_data(as_text=True)
    assert "explicit_human" in page and "Claim" in page and "greet" in page
    assert agent.get("/console/c/nope").status_code == 404
    assert client.get("/chat").status_code == 200 and "C1005" in client.get("/chat").get_data(as_text=True)


def test_logout_gives_the_agents_customers_back_to_the_queue(app: Flask, client: FlaskClient, rasa_stub: RasaStub) -> None:
    agent, csrf = login_agent(app)
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "转人工", "m1")
    assert agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf}).status_code == 200
    assert services_of(app).store.conversation(conv_id).status == "agent"  # type: ignore[union-attr]
    agent.post("/console/logout", data={"csrf_token": csrf})
    conv = services_of(app).store.conversation(conv_id)
    assert conv is not None and conv.status == "queued" and conv.assigned_agent_id is None
