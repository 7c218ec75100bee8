"""Customer API: start, send (stored before ack, idempotent), read, validation, token isolation."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.handoff.conftest import RasaStub, say, services_of, start_conversation


def test_message_goes_to_bot_with_customer_metadata(client: FlaskClient, rasa_stub: RasaStub) -> None:
    conv_id, auth = start_conversation(client)
    resp = say(client, conv_id, auth, "我的订单到哪了", "m-1")
    assert resp.status_code == 201
    assert resp.json["state"] == "answered" and resp.json["duplicate"] is False
    sent = [body for kind, _, body in rasa_stub.calls if kind == "message"]
    assert sent == [{"sender": conv_id, "message": "我的订单到哪了", "metadata": {"customer_id": "C1001"}}]
    msgs = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
    assert [(m["role"], m["text"]) for m in msgs] == [("customer", "我的订单到哪了"), ("bot", "bot: 我的订单到哪了")]
    assert msgs[0]["seq"] < msgs[1]["seq"]


def test_a_bot_with_nothing_to_say_still_answers_the_customer(client: FlaskClient, rasa_stub: RasaStub) -> None:
    rasa_stub.silent = True
    conv_id, auth = start_conversation(client)
    assert say(client, conv_id, auth, "嗯嗯那个呢", "m-1").json["state"] == "answered"
    msgs = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
    assert [m["role"] for m in msgs] == ["customer", "bot"]
    assert "换个说法" in msgs[1]["text"]  # an honest "I didn't understand", never silence


def test_retry_with_same_client_msg_id_is_not_duplicated(client: FlaskClient, rasa_stub: RasaStub) -> None:
    conv_id, auth = start_conversation(client)
    first = say(client, conv_id, auth, "hello", "same-id")
    again = say(client, conv_id, auth, "hello", "same-id")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["duplicate"] is True and again.json["seq"] == first.json["seq"]
    assert len(rasa_stub.events("message")) == 1
    msgs = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
    assert [m["role"] for m in msgs] == ["customer", "bot"]
    reused = say(client, conv_id, auth, "something else", "same-id")
    assert reused.status_code == 409 and reused.json["error"]["field"] == "client_msg_id"


def test_poll_after_seq_returns_only_newer(client: FlaskClient) -> None:
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "one", "a")
    first = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json
    say(client, conv_id, auth, "two", "b")
    newer = client.get(f"/api/conversations/{conv_id}/messages?after={first['last_seq']}", headers=auth).json
    assert [m["text"] for m in newer["messages"]] == ["two", "bot: two"]
    empty = client.get(f"/api/conversations/{conv_id}/messages?after={newer['last_seq']}&wait=1", headers=auth).json
    assert empty["messages"] == [] and empty["last_seq"] == newer["last_seq"]


def test_customer_reads_only_own_conversation(client: FlaskClient) -> None:
    conv_a, auth_a = start_conversation(client)
    conv_b, auth_b = start_conversation(client, "C1002")
    say(client, conv_a, auth_a, "secret of A", "a1")
    assert client.get(f"/api/conversations/{conv_a}/messages", headers=auth_b).status_code == 404
    assert client.get(f"/api/conversations/{conv_a}/messages").status_code == 401
    assert say(client, conv_a, auth_b, "intrude", "b1").status_code == 404
    assert client.get(f"/api/conversations/{conv_b}/messages", headers=auth_b).json["messages"] == []


def test_validation_errors_are_json_with_field(client: FlaskClient) -> None:
    conv_id, auth = start_conversation(client)
    cases = [
        ({"client_msg_id": "x"}, "text", "missing_field"),
        ({"text": 5, "client_msg_id": "x"}, "text", "bad_type"),
        ({"text": "   ", "client_msg_id": "x"}, "text", "empty"),
        ({"text": "a" * 2001, "client_msg_id": "x"}, "text", "too_long"),
        ({"text": "hi"}, "client_msg_id", "missing_field"),
        ({"text": "hi", "client_msg_id": "bad id!"}, "client_msg_id", "bad_format"),
        ({"text": "hi", "client_msg_id": "x" * 65}, "client_msg_id", "too_long"),
    ]
    for body, field, code in cases:
        resp = client.post(f"/api/conversations/{conv_id}/messages", json=body, headers=auth)
        assert resp.status_code == 400, body
        assert resp.json["error"]["field"] == field and resp.json["error"]["code"] == code, resp.json
    not_json = client.post(f"/api/conversations/{conv_id}/messages", data="text", headers=auth)
    assert not_json.status_code == 415 and not_json.json["error"]["code"] == "unsupported_media_type"
    assert client.post("/api/conversations", json={"customer_id": "robert'); drop"}).status_code == 400
    assert client.post("/api/conversations", json={"customer_id": "C9999"}).json["error"]["code"] == \
        "unknown_customer"
    assert client.get(f"/api/conversations/{conv_id}/messages?after=x", headers=auth).json["error"]["field"] == "after"


def test_every_message_is_stored_before_ack(app: Flask, client: FlaskClient) -> None:
    conv_id, auth = start_conversation(client)
    ack = say(client, conv_id, auth, "stored?", "s1").json
    stored = services_of(app).store.message(ack["seq"])
    assert stored is not None and stored.text == "stored?" and stored.client_msg_id == "s1"
