"""Reliability: bot down → pending_bot + honest interim reply → answered or escalated; restart loses nothing."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from handoff.relay import retry_pending
from handoff.store.repo import utcnow
from tests.handoff.conftest import AppFactory, RasaStub, login_agent, say, services_of, start_conversation


def test_bot_down_keeps_message_and_answers_when_back(make_app: AppFactory, rasa_stub: RasaStub) -> None:
    app = make_app()
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    rasa_stub.down = True
    first = say(client, conv_id, auth, "where is my parcel", "m1")
    second = say(client, conv_id, auth, "hello?", "m2")
    assert (first.json["state"], second.json["state"]) == ("pending_bot", "pending_bot")
    msgs = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
    interim = [m for m in msgs if m["role"] == "system"]
    assert len(interim) == 1 and "message is saved" in interim[0]["text"] or "消息已保存" in interim[0]["text"]
    svc = services_of(app)
    assert retry_pending(svc)["answered"] == 0  # still down: nothing happens
    rasa_stub.down = False
    assert retry_pending(svc)["answered"] == 1
    texts = [m["text"] for m in client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
             if m["role"] == "bot"]
    assert texts == ["bot: where is my parcel", "bot: hello?"]  # in the customer's order
    assert [body["message"] for kind, _, body in rasa_stub.calls if kind == "message"] == \
        ["where is my parcel", "hello?"]


def test_bot_down_too_long_escalates_to_human(make_app: AppFactory, rasa_stub: RasaStub) -> None:
    app = make_app()
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    rasa_stub.down = True
    say(client, conv_id, auth, "cancel my order", "m1")
    svc = services_of(app)
    later = svc.__class__(**{**svc.__dict__, "clock": lambda: utcnow() + timedelta(seconds=600)})
    assert retry_pending(later)["escalated"] == 1
    conv = svc.store.conversation(conv_id)
    assert conv is not None and conv.status == "queued"
    assert [r["code"] for r in conv.handoff_reasons] == ["bot_unavailable"]
    assert conv.rasa_sync is None  # queued, not claimed: nothing to pause yet
    agent, csrf = login_agent(app)
    agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf})
    conv = svc.store.conversation(conv_id)
    assert conv is not None and conv.status == "agent"
    assert conv.rasa_sync == "pause"  # Rasa is down: the pause at claim is retried once it is back
    rasa_stub.down = False
    retry_pending(svc)
    assert rasa_stub.events("pause") == [conv_id]
    assert svc.store.conversation(conv_id).rasa_sync is None  # type: ignore[union-attr]


def test_failed_pause_is_not_replayed_after_the_agent_handed_back(make_app: AppFactory, rasa_stub: RasaStub) -> None:
    """The worker brings Rasa to what the status needs now: a pause that failed at claim becomes a
    resume once the agent has handed the customer back."""
    app = make_app()
    client = app.test_client()
    svc = services_of(app)
    agent, csrf = login_agent(app)
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "转人工", "m1")
    base = f"/console/api/conversations/{conv_id}"
    rasa_stub.down = True
    agent.post(f"{base}/claim", json={}, headers={"X-CSRFToken": csrf})
    agent.post(f"{base}/handback", json={}, headers={"X-CSRFToken": csrf})
    assert svc.store.conversation(conv_id).rasa_sync == "resume"  # type: ignore[union-attr]
    rasa_stub.down = False
    assert retry_pending(svc)["synced"] == 1
    assert rasa_stub.events("pause") == [] and rasa_stub.events("resume") == [conv_id]
    assert conv_id not in rasa_stub.paused


def test_new_app_on_same_database_sees_everything(make_app: AppFactory, db_url: str) -> None:
    first = make_app(db_url)
    client = first.test_client()
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "hello", "m1")
    say(client, conv_id, auth, "转人工", "m2")
    agent, csrf = login_agent(first)
    agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf})
    before = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]

    restarted = make_app(db_url)  # a new process in all but name: new engine, notifier, limiter
    client2: FlaskClient = restarted.test_client()
    after = client2.get(f"/api/conversations/{conv_id}/messages", headers=auth).json
    assert after["messages"] == before and after["status"] == "agent"
    dup = say(client2, conv_id, auth, "转人工", "m2")
    assert dup.status_code == 200 and dup.json["duplicate"] is True
    agent2, _ = login_agent(restarted)  # the agent account survived too
    assert agent2.get("/console/api/queue").status_code == 200


def test_message_stuck_in_processing_is_redone(make_app: AppFactory) -> None:
    app = make_app()
    svc = services_of(app)
    client = app.test_client()
    conv_id, _ = start_conversation(client)
    # a crash between storing and routing leaves the message claimed but unrouted
    msg, _ = svc.store.add_message(conv_id, "customer", "are you there", "processing", client_msg_id="c1")
    later = svc.__class__(**{**svc.__dict__, "clock": lambda: utcnow() + timedelta(seconds=120)})
    assert retry_pending(later)["requeued"] == 1
    assert svc.store.message(msg.seq).state == "answered"  # type: ignore[union-attr]
