"""Waiting is not silence: while nobody has claimed a handed-off conversation the bot answers other
questions, nudges are acknowledged with the queue position or the ticket's reply time, the customer
may leave the queue, and reasons that arrive later accumulate and raise the priority.

Real Flask app and SQLite store, Rasa = the real HTTP stub of conftest, business hours of
conf/bridge.yaml (Asia/Shanghai 08:00–23:00) with a fixed clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from handoff import agent_ops
from handoff.app import build_services, create_app
from handoff.clients.rasa import BotReply, RasaClient
from handoff.clients.shop import CustomerInfo, OrderInfo
from handoff.config import ROOT, ConfigError, load_config
from handoff.decision import Turn, Verdict
from handoff.notices import CHOICE_TITLES
from handoff.relay import retry_pending
from handoff.waiting import classify
from tests.handoff.conftest import (
    SERVICE_TOKEN,
    TOKEN,
    AppFactory,
    DemoShop,
    RasaStub,
    login_agent,
    say,
    services_of,
    start_conversation,
    test_config,
)

SHOP = ZoneInfo("Asia/Shanghai")
DAY = datetime(2036, 12, 2, 10, 0, tzinfo=SHOP)   # shop open
NIGHT = datetime(2036, 12, 2, 3, 0, tzinfo=SHOP)  # shop closed: opens 08:00, tickets answered by 09:00

RULES = {  # code → words; like handoff.assess, every customer turn of the stretch is read again
    "explicit_human": ("人工", "human", "a person"),
    "anger": ("气死", "angry"),
    "complaint_threat": ("投诉", "差评", "12315", "complain", "bad review"),
}


BOT_FACTS = {"requested_human": "explicit_human", "complaint": "complaint_threat",  # as conf/handoff.yaml
             "beyond_authority": "needs_judgement", "late_refund": "needs_judgement", "bot_failed": "bot_failure"}


def window_assessor(turns: Sequence[Turn], customer: CustomerInfo | None, orders: Sequence[OrderInfo]) -> Verdict:
    """Deterministic stand-in for handoff.assess with its window behaviour: a reason names every turn
    that triggered it (by its words or by a fact the bot reported on it), so the request that queued
    the conversation comes back with later messages."""
    reasons = []
    for code in dict.fromkeys([*RULES, *BOT_FACTS.values()]):
        words = RULES.get(code, ())
        hits = [{"index": i, "text": t.text} for i, t in enumerate(turns)
                if t.role == "customer" and (any(w in t.text.lower() for w in words)
                                             or any(BOT_FACTS.get(f) == code for f in getattr(t, "facts", ())))]
        if hits:
            reasons.append({"code": code, "explanation": f"{code} words or facts", "messages": hits})
    angry = any(r["code"] == "anger" for r in reasons)
    return Verdict(bool(reasons), tuple(reasons), {"anger": 0.9 if angry else 0.1})


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _app(db_url: str, rasa_stub: RasaStub, clock: Clock, rasa: Any = None) -> Flask:
    config = test_config(db_url, rasa_stub.url).with_(hours=load_config().hours)
    rasa = rasa or RasaClient(config.rasa_url, config.rasa_token, "", timeout=5, health_timeout=1)
    svc = build_services(config, rasa=rasa, shop=DemoShop(), assessor=window_assessor)
    return create_app(config, services=dataclasses.replace(svc, clock=clock))


@pytest.fixture()
def clock() -> Clock:
    return Clock(DAY)


@pytest.fixture()
def app(db_url: str, rasa_stub: RasaStub, clock: Clock) -> Flask:
    return _app(db_url, rasa_stub, clock)


def _messages(client: FlaskClient, conv_id: str, auth: dict[str, str], after: int = 0) -> list[dict[str, Any]]:
    return client.get(f"/api/conversations/{conv_id}/messages?after={after}", headers=auth).json["messages"]


def _reply_to(client: FlaskClient, conv_id: str, auth: dict[str, str], text: str, cmid: str) -> list[dict[str, Any]]:
    """Send, and return what the customer got back for it."""
    before = client.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["last_seq"]
    say(client, conv_id, auth, text, cmid)
    return [m for m in _messages(client, conv_id, auth, before) if m["role"] != "customer"]


def _status(client: FlaskClient, conv_id: str, auth: dict[str, str]) -> dict[str, Any]:
    return client.get(f"/api/conversations/{conv_id}", headers=auth).json


def _queued(client: FlaskClient, customer: str, text: str = "转人工") -> tuple[str, dict[str, str]]:
    conv_id, auth = start_conversation(client, customer)
    say(client, conv_id, auth, text, "handoff")
    assert _status(client, conv_id, auth)["status"] == "queued"
    return conv_id, auth


def test_waiting_customer_gets_the_bots_answer_and_the_two_choices(app: Flask, client: FlaskClient,
                                                                    rasa_stub: RasaStub) -> None:
    login_agent(app)  # one agent online, shop open
    conv_id, auth = _queued(client, "C1001")
    assert [m["meta"]["type"] for m in _messages(client, conv_id, auth) if m["role"] == "system"] == ["queued"]
    got = _reply_to(client, conv_id, auth, "你们的退货政策是什么？", "q1")
    assert [(m["role"], m["meta"].get("type")) for m in got] == [("bot", None), ("system", "waiting_choices")]
    assert got[0]["text"] == "bot: 你们的退货政策是什么？"
    assert "仍在处理中" in got[1]["text"] and "排队第 1 位" in got[1]["text"]
    assert [b["title"] for b in got[1]["meta"]["buttons"]] == ["继续等待人工", "让智能助手帮我"]
    assert [body["message"] for kind, _, body in rasa_stub.calls if kind == "message"] == ["你们的退货政策是什么？"]
    assert rasa_stub.events("pause") == []
    # the next answer of the same wait comes alone; the customer is still in the queue
    again = _reply_to(client, conv_id, auth, "发票怎么开", "q2")
    assert [(m["role"], m["text"]) for m in again] == [("bot", "bot: 发票怎么开")]
    assert _status(client, conv_id, auth)["status"] == "queued"
    store = services_of(app).store
    assert [m.state for m in store.messages(conv_id) if m.role == "customer"] == ["to_agent", "answered", "answered"]


def test_english_choices_follow_the_conversation_language(app: Flask, client: FlaskClient) -> None:
    login_agent(app)
    conv_id, auth = _queued(client, "C1002", "I want a human please")
    got = _reply_to(client, conv_id, auth, "What is your return policy?", "q1")
    assert "number 1 in the queue" in got[-1]["text"]
    assert got[-1]["meta"]["buttons"] == [{"title": "Keep waiting for a person", "payload": "/keep_waiting"},
                                          {"title": "Let the assistant help", "payload": "/bot_help"}]


@pytest.mark.parametrize("customer, nudges, expected", [
    ("C1001", ["人呢？？", "还要等多久啊", "客服呢", "？？？"], "排队第 2 位"),
    ("C1002", ["hello??", "any news?", "Is anyone there?", "😭😭"], "number 2 in the queue"),
])
def test_nudges_get_the_acknowledgement_with_the_position(app: Flask, client: FlaskClient, rasa_stub: RasaStub,
                                                          clock: Clock, customer: str, nudges: list[str],
                                                          expected: str) -> None:
    login_agent(app)
    _queued(client, "C1001")  # someone waits longer: this customer is second
    clock.advance(60)
    conv_id, auth = _queued(client, customer, "转人工 please, a human")
    for i, text in enumerate(nudges):
        got = _reply_to(client, conv_id, auth, text, f"n{i}")
        assert [(m["role"], m["meta"].get("type")) for m in got] == [("system", "still_waiting")], text
        assert expected in got[0]["text"]
    assert rasa_stub.events("message") == []  # none of the nudges went to the bot
    # a real question that mentions waiting is answered by the bot
    got = _reply_to(client, conv_id, auth, "快递还要等多久才到", "q1")
    assert got[0]["role"] == "bot"


def test_let_the_assistant_help_leaves_the_queue_and_keep_waiting_just_acknowledges(
        app: Flask, client: FlaskClient, rasa_stub: RasaStub) -> None:
    agent, _ = login_agent(app)
    conv_id, auth = _queued(client, "C1002", "I want a human please")
    choices = _reply_to(client, conv_id, auth, "How do I get an invoice?", "q1")[-1]["meta"]["buttons"]
    kept = _reply_to(client, conv_id, auth, choices[0]["title"], "c1")
    assert [m["meta"]["type"] for m in kept] == ["kept_waiting"] and "number 1 in the queue" in kept[0]["text"]
    assert _status(client, conv_id, auth)["status"] == "queued"
    assert [c["id"] for c in agent.get("/console/api/queue").json["queue"]] == [conv_id]

    left = _reply_to(client, conv_id, auth, choices[1]["title"], "c2")
    assert [m["meta"]["type"] for m in left] == ["withdrawn"] and "assistant will help you" in left[0]["text"]
    status = _status(client, conv_id, auth)
    assert status["status"] == "bot" and status["ticket"] is False
    assert agent.get("/console/api/queue").json["queue"] == []  # the console row is gone
    store = services_of(app).store
    withdrawn = [e for e in store.events(conv_id) if e.kind == "withdraw"]
    assert len(withdrawn) == 1 and [r["code"] for r in withdrawn[0].data["reasons"]] == ["explicit_human"]
    # the request taken back does not send the next question straight back to the queue
    got = _reply_to(client, conv_id, auth, "And how long does a refund take?", "q2")
    assert [(m["role"], m["text"]) for m in got] == [("bot", "bot: And how long does a refund take?")]
    assert _status(client, conv_id, auth)["status"] == "bot"
    assert rasa_stub.events("pause") == []
    # asking again queues again
    _reply_to(client, conv_id, auth, "no, I want a human", "q3")
    assert _status(client, conv_id, auth)["status"] == "queued"


def test_claimed_conversation_keeps_the_bot_silent_until_hand_back(app: Flask, client: FlaskClient,
                                                                   rasa_stub: RasaStub) -> None:
    agent, csrf = login_agent(app)
    conv_id, auth = _queued(client, "C1001")
    _reply_to(client, conv_id, auth, "运费险怎么赔", "q1")
    assert len(rasa_stub.events("message")) == 1  # waiting: the bot answered
    base, h = f"/console/api/conversations/{conv_id}", {"X-CSRFToken": csrf}
    assert agent.post(f"{base}/claim", json={}, headers=h).json["status"] == "agent"
    assert rasa_stub.events("pause") == [conv_id] and conv_id in rasa_stub.paused
    for i, text in enumerate(["我的冰箱坏了", "发票怎么开", "人呢？"]):
        assert _reply_to(client, conv_id, auth, text, f"a{i}") == []  # for the agent: no bot, no notice
    assert len(rasa_stub.events("message")) == 1
    seen = [m["text"] for m in agent.get(f"{base}/messages?after=0").json["messages"] if m["role"] == "customer"]
    assert seen[-3:] == ["我的冰箱坏了", "发票怎么开", "人呢？"]
    agent.post(f"{base}/reply", json={"text": "亲，马上为您处理", "client_msg_id": "r1"}, headers=h)
    assert agent.post(f"{base}/handback", json={}, headers=h).json["status"] == "bot"
    assert rasa_stub.events("resume") == [conv_id] and conv_id not in rasa_stub.paused
    got = _reply_to(client, conv_id, auth, "还有，怎么申请退货", "q2")
    assert [(m["role"], m["text"]) for m in got] == [("bot", "bot: 还有，怎么申请退货")]


def test_released_conversation_waits_again_with_the_bot_answering(app: Flask, client: FlaskClient,
                                                                  rasa_stub: RasaStub) -> None:
    agent, csrf = login_agent(app)
    conv_id, auth = _queued(client, "C1002", "I want a human")
    agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf})
    svc = services_of(app)
    me = svc.store.agent_by_username("agent1")
    assert me is not None and agent_ops.release_all(svc, me) == 1  # e.g. at logout
    status = _status(client, conv_id, auth)
    assert status["status"] == "queued" and status["queue_position"] == 1
    assert rasa_stub.events("resume") == [conv_id]
    told = [m for m in _messages(client, conv_id, auth) if m["role"] == "system"][-1]
    assert told["meta"]["type"] == "queued" and "number 1 in the queue" in told["text"]
    got = _reply_to(client, conv_id, auth, "Where is my parcel?", "q1")
    assert [(m["role"], m["meta"].get("type")) for m in got] == [("bot", None), ("system", "waiting_choices")]
    assert [e.kind for e in svc.store.events(conv_id)][-1] == "release"


def test_after_hours_ticket_is_acknowledged_with_its_reply_time_and_the_bot_still_answers(
        db_url: str, rasa_stub: RasaStub) -> None:
    app = _app(db_url, rasa_stub, Clock(NIGHT))
    client = app.test_client()
    conv_id, auth = _queued(client, "C1002", "I want a human please")
    ticket = _messages(client, conv_id, auth)[-1]
    assert ticket["meta"]["type"] == "ticket" and "offline right now" in ticket["text"]
    assert "by 2036-12-02 09:00" in ticket["text"]
    assert _status(client, conv_id, auth)["ticket"] is True
    got = _reply_to(client, conv_id, auth, "any news?", "n1")
    assert [m["meta"]["type"] for m in got] == ["still_waiting"] and "by 2036-12-02 09:00" in got[0]["text"]
    got = _reply_to(client, conv_id, auth, "What is your return policy?", "q1")
    assert [(m["role"], m["meta"].get("type")) for m in got] == [("bot", None), ("system", "waiting_choices")]
    assert got[0]["text"] == "bot: What is your return policy?" and "by 2036-12-02 09:00" in got[1]["text"]
    # Chinese customers get the same, in Chinese
    zh_id, zh_auth = _queued(client, "C1001")
    got = _reply_to(client, zh_id, zh_auth, "人呢", "n1")
    assert "2036-12-02 09:00" in got[0]["text"] and "仍在人工客服处理中" in got[0]["text"]


def test_complaint_threat_after_an_explicit_request_is_added_and_raises_the_priority(
        app: Flask, client: FlaskClient, rasa_stub: RasaStub, clock: Clock) -> None:
    agent, _ = login_agent(app)
    first_id, _ = _queued(client, "C1002", "I want a human")
    clock.advance(30)
    conv_id, auth = _queued(client, "C1002", "Can I talk to a person?")
    queue = agent.get("/console/api/queue").json["queue"]
    assert [c["id"] for c in queue] == [first_id, conv_id]  # same priority: the longer wait first
    before = services_of(app).store.conversation(conv_id)
    assert before is not None and before.priority == 0.8  # explicit_human 0.5 + emotion 0.3

    got = _reply_to(client, conv_id, auth, "Fix this today or I will complain to 12315 and leave a bad review",
                    "t1")
    assert [m["meta"]["type"] for m in got] == ["still_waiting"]  # for the human, not the bot
    assert rasa_stub.events("message") == []
    conv = services_of(app).store.conversation(conv_id)
    assert conv is not None
    assert [(r["code"], r["source"]) for r in conv.handoff_reasons] == [("explicit_human", "assess"),
                                                                        ("complaint_threat", "assess")]
    threat = conv.handoff_reasons[1]
    assert threat["messages"] == [{"index": 1, "text": "Fix this today or I will complain to 12315 and leave a bad review"}]
    assert conv.priority == 2.3 and conv.priority_detail["reasons"] == 2.0  # complaint_threat outranks the request
    queue = agent.get("/console/api/queue").json["queue"]
    assert [(c["id"], c["reasons"]) for c in queue] == [(conv_id, ["complaint_threat", "explicit_human"]),
                                                        (first_id, ["explicit_human"])]
    # the open conversation page's live update carries the new reason and its trigger
    live = agent.get(f"/console/api/conversations/{conv_id}/messages?after=0").json
    assert [r["code"] for r in live["reasons"]] == ["explicit_human", "complaint_threat"]
    assert "12315" in live["reasons"][1]["triggers"][0] and live["priority"]["score"] == 2.3
    # a reason already known is not added twice; the priority does not drop with a calmer message
    _reply_to(client, conv_id, auth, "I said I will complain", "t2")
    _reply_to(client, conv_id, auth, "How do I get an invoice?", "q1")
    conv = services_of(app).store.conversation(conv_id)
    assert conv is not None and [r["code"] for r in conv.handoff_reasons] == ["explicit_human", "complaint_threat"]
    assert conv.priority == 2.3


def test_reasons_accumulate_while_an_agent_has_the_conversation(app: Flask, client: FlaskClient) -> None:
    agent, csrf = login_agent(app)
    conv_id, auth = _queued(client, "C1002", "I want a human")
    agent.post(f"/console/api/conversations/{conv_id}/claim", json={}, headers={"X-CSRFToken": csrf})
    say(client, conv_id, auth, "this is a joke, I am so angry", "a1")
    mine = agent.get("/console/api/queue").json["mine"]
    assert [(c["id"], c["reasons"]) for c in mine] == [(conv_id, ["anger", "explicit_human"])]
    conv = services_of(app).store.conversation(conv_id)
    assert conv is not None and conv.priority_detail["emotion"] == 2.7 and conv.priority_detail["reasons"] == 1.5


class NotifyingRasa(RasaClient):
    """The real client; on one message the action server also reports a fact to the bridge's
    internal API while Rasa handles the turn (as action_handoff does)."""

    def __init__(self, *args: Any, on_text: str, fact: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_text, self.fact = on_text, fact
        self.bridge: FlaskClient | None = None

    def send(self, conversation_id: str, text: str, customer_id: str) -> list[BotReply]:
        if text == self.on_text and self.bridge is not None:
            resp = self.bridge.post("/api/internal/handoff", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                                    json={"conversation_id": conversation_id, "facts": [self.fact],
                                          "intent": "refund_status", "detail": text})
            assert resp.status_code == 200, resp.get_data(as_text=True)
        return super().send(conversation_id, text, customer_id)


def test_message_the_bot_itself_hands_on_gets_the_acknowledgement(db_url: str, rasa_stub: RasaStub) -> None:
    rasa = NotifyingRasa(rasa_stub.url, TOKEN, "", timeout=5, health_timeout=1, on_text="where is my refund",
                         fact="late_refund")
    app = _app(db_url, rasa_stub, Clock(DAY), rasa=rasa)
    rasa.bridge = app.test_client()
    client = app.test_client()
    login_agent(app)
    conv_id, auth = _queued(client, "C1002", "I want a human")
    got = _reply_to(client, conv_id, auth, "where is my refund", "q1")
    assert [(m["role"], m["meta"].get("type")) for m in got] == [("bot", None), ("system", "still_waiting")]
    conv = services_of(app).store.conversation(conv_id)
    assert conv is not None and [(r["code"], r["source"]) for r in conv.handoff_reasons] == [
        ("explicit_human", "assess"), ("needs_judgement", "bot")]
    assert conv.handoff_reasons[1]["facts"] == ["late_refund"] and conv.priority_detail["reasons"] == 1.0
    assert rasa_stub.events("pause") == []  # still waiting, nobody claimed it


def test_bot_down_while_waiting_answers_when_back_with_the_choices(make_app: AppFactory, rasa_stub: RasaStub) -> None:
    app = make_app()  # the real clock: the retry loop compares it with the stored message times
    client = app.test_client()
    login_agent(app)
    conv_id, auth = _queued(client, "C1001")
    rasa_stub.down = True
    got = _reply_to(client, conv_id, auth, "发票怎么开", "q1")
    assert [m["meta"].get("interim") for m in got] == [True]  # the honest interim reply
    rasa_stub.down = False
    assert retry_pending(services_of(app))["answered"] == 1
    tail = [(m["role"], m["meta"].get("type")) for m in _messages(client, conv_id, auth)][-2:]
    assert tail == [("bot", None), ("system", "waiting_choices")]
    assert _status(client, conv_id, auth)["status"] == "queued"


NUDGES = load_config().waiting_nudges
TITLES = {p: t.values() for p, t in CHOICE_TITLES.items()}


@pytest.mark.parametrize("text", ["人呢", "人呢？？？", "還要等多久啊", "客服呢~", "有人在吗", "在吗在吗", "到我了吗",
                                  "怎么还没人理我", "？？", "…", "🙄", "hello??", "Any news?", "any update yet",
                                  "Is anybody there?", "I'm still waiting!!", "how much longer", "HELLO"])
def test_nudges_about_the_wait(text: str) -> None:
    assert classify(text, NUDGES, TITLES) == "nudge"


@pytest.mark.parametrize("text", ["快递还要等多久才到", "退款要等多久到账", "人呢？我的订单E1001000003怎么还没发货",
                                  "你好，发票怎么开", "How long does a refund take?", "hello, where is my parcel?",
                                  "在吗，这个空气炸锅怎么用", "咨询订单号:[订单x] 订单金额:[金额x]"])
def test_questions_are_not_nudges(text: str) -> None:
    assert classify(text, NUDGES, TITLES) == "question"


def test_choices_are_recognised_by_title_in_either_language_or_payload() -> None:
    assert classify("继续等待人工", NUDGES, TITLES) == "keep_waiting"
    assert classify(" Let the assistant help ", NUDGES, TITLES) == "bot_help"
    assert classify("讓智能助手幫我", NUDGES, TITLES) == "bot_help"  # traditional characters
    assert classify("/keep_waiting", NUDGES, TITLES) == "keep_waiting"
    assert classify("let the assistant help me find my order", NUDGES, TITLES) == "question"


def test_a_bad_nudge_pattern_is_named(tmp_path: Path) -> None:
    text = (ROOT / "conf" / "bridge.yaml").read_text(encoding="utf-8").replace('    - "人呢"\n', '    - "人呢("\n', 1)
    bad = tmp_path / "bridge.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"waiting\.nudges\[0\]"):
        load_config(bad, env={})
