"""The production configuration end to end: PostgreSQL for shop, bridge and Rasa trackers; Redis for locks and limits.

Two stacks on random ports, each with its own throwaway databases (dropped at the end):
- bridge + shop without Rasa: the customer gets one honest interim reply, and everything survives a
  bridge restart (needs no trained model);
- everything (KB service, action server, Rasa with conf/production/endpoints.yml, bridge): demo
  customer C1002 asks for an order's status and a FAQ through the bridge's JSON API, then the test
  checks where the data landed (PostgreSQL rows, Redis keys and notifications) and restarts the bridge.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
import requests

from tests.production.infra import (
    LOCK_DB,
    LOCK_PREFIX,
    RATE_LIMIT_PREFIX,
    REDIS_URL,
    UPDATES_CHANNEL,
    CustomerChat,
    RedisListener,
)
from tests.production.stacks import TIMINGS, ProductionStack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ORDER = "E1002000001"  # C1002's delayed parcel (shop/DEMO.md)
ORDER_QUESTION = f"What is the status of my order {ORDER}?"
FAQ_QUESTION = "How does price protection work?"


def redis_client(db: int | None = None) -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    return client if db is None else redis.Redis(**{**client.connection_pool.connection_kwargs, "db": db})


def bridge_rows(stack: ProductionStack, conv_id: str) -> list[tuple[Any, ...]]:
    return stack.dbs.query("bridge", "SELECT seq, role, text, state FROM messages WHERE conversation_id = :c "
                                     "ORDER BY seq", c=conv_id)


def rate_limit_count(client: redis.Redis, group: str, key: str) -> int:
    names = list(client.scan_iter(match=f"{RATE_LIMIT_PREFIX}{group}:{key}:*", count=1000))
    return sum(int(client.get(n) or 0) for n in names)


# --- bridge + shop on PostgreSQL/Redis, Rasa absent ---------------------------------------------


@dataclass
class InterimRun:
    chat: CustomerChat
    first: dict[str, Any]
    first_replies: list[dict[str, Any]]
    second: dict[str, Any]
    second_replies: list[dict[str, Any]]


@pytest.fixture(scope="module")
def interim_run(bridge_without_rasa: ProductionStack) -> InterimRun:
    chat = CustomerChat(bridge_without_rasa.bridge_url, "C1002")
    first, first_replies = chat.say(ORDER_QUESTION)
    second, second_replies = chat.say("Hello? Is anyone there?")
    return InterimRun(chat, first, first_replies, second, second_replies)


def test_shop_on_postgres_decides_who_may_chat(bridge_without_rasa: ProductionStack, interim_run: InterimRun) -> None:
    assert interim_run.chat.lang == "en"  # C1002's language, read from the PostgreSQL shop DB
    resp = requests.post(f"{bridge_without_rasa.bridge_url}/api/conversations", json={"customer_id": "C9999999"},
                         timeout=10)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "unknown_customer"


def test_without_rasa_one_honest_interim_reply(interim_run: InterimRun) -> None:
    assert interim_run.first["state"] == "pending_bot"
    assert [(m["role"], m["meta"].get("interim")) for m in interim_run.first_replies] == [("system", True)]
    assert "unavailable" in interim_run.first_replies[0]["text"]  # English, as C1002 speaks
    assert interim_run.second["state"] == "pending_bot"
    assert interim_run.second_replies == []  # waits in order behind the first, no second notice


def test_without_rasa_rows_and_limits_land_in_postgres_and_redis(bridge_without_rasa: ProductionStack,
                                                                 interim_run: InterimRun) -> None:
    rows = bridge_rows(bridge_without_rasa, interim_run.chat.id)
    assert [(r[1], r[3]) for r in rows] == [("customer", "pending_bot"), ("system", "sent"),
                                            ("customer", "pending_bot")]
    assert rows[0][2] == ORDER_QUESTION
    assert rate_limit_count(redis_client(), "customer_message", interim_run.chat.id) == 2


def test_without_rasa_restart_keeps_conversation(bridge_without_rasa: ProductionStack,
                                                 interim_run: InterimRun) -> None:
    chat = interim_run.chat
    before = chat.messages()
    old_pid, new_pid, seconds = bridge_without_rasa.restart_bridge()
    TIMINGS["bridge restart (no Rasa)"] = seconds
    assert new_pid != old_pid
    after = chat.messages()  # the old customer token still works against the new process
    assert [(m["seq"], m["text"], m["state"]) for m in after] == [(m["seq"], m["text"], m["state"]) for m in before]
    resent = requests.post(f"{chat.base_url}/api/conversations/{chat.id}/messages", headers=chat.headers,
                           json={"text": ORDER_QUESTION, "client_msg_id": "m1"}, timeout=30)
    assert resent.status_code == 200 and resent.json()["duplicate"] is True  # idempotency survives the restart


# --- the whole system --------------------------------------------------------------------------


@dataclass
class FullRun:
    chat: CustomerChat
    tracking_no: str
    order: dict[str, Any]
    order_replies: list[dict[str, Any]]
    faq: dict[str, Any]
    faq_replies: list[dict[str, Any]]
    lock_events: list[tuple[str, str]] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    lock_clients: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def full_run(full_stack: ProductionStack) -> Iterator[FullRun]:
    # A tracking number nobody else has: if the bot says it, the action server read *this* PostgreSQL DB.
    tracking_no = f"PG{time.time_ns() % 10**10:010d}"
    full_stack.dbs.query("shop", "UPDATE shipments SET tracking_no = :t WHERE order_id = :o", t=tracking_no, o=ORDER)
    chat = CustomerChat(full_stack.bridge_url, "C1002")
    lock_key = f"{LOCK_PREFIX}{chat.id}"
    client = redis_client()
    with RedisListener(client, channels=[UPDATES_CHANNEL], patterns=[f"__keyspace@{LOCK_DB}__:{lock_key}"],
                       keyspace_events="K$g") as listener:
        started = time.perf_counter()
        order, order_replies = chat.say(ORDER_QUESTION)
        order_s = time.perf_counter() - started
        started = time.perf_counter()
        faq, faq_replies = chat.say(FAQ_QUESTION)
        faq_s = time.perf_counter() - started
    lock_clients = [c for c in client.client_list() if int(c.get("db", -1)) == LOCK_DB]
    yield FullRun(chat, tracking_no, order, order_replies, faq, faq_replies,
                  lock_events=[(ch, data) for ch, data in listener.received if ch.startswith("__keyspace@")],
                  updates=[data for ch, data in listener.received if ch == UPDATES_CHANNEL],
                  lock_clients=lock_clients, seconds={"order": order_s, "faq": faq_s})
    TIMINGS["reply via bridge: order status"] = order_s
    TIMINGS["reply via bridge: FAQ"] = faq_s


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in replies)


def test_bot_answers_order_status_from_postgres_shop(full_run: FullRun) -> None:
    assert full_run.order["state"] == "answered", full_run.order_replies
    text = _texts(full_run.order_replies)
    assert all(m["role"] == "bot" for m in full_run.order_replies)
    assert ORDER in text and full_run.tracking_no in text, text


def test_bot_answers_faq_from_the_knowledge_base(full_stack: ProductionStack, full_run: FullRun) -> None:
    assert full_run.faq["state"] == "answered", full_run.faq_replies
    kb_url = f"http://127.0.0.1:{full_stack.bridge.ports.kb}"
    hits = requests.post(f"{kb_url}/search", json={"query": FAQ_QUESTION, "lang": "en", "top_k": 3},
                         timeout=30).json()["hits"]
    answers = {h["answer"] for h in hits}
    titles = {h["title"] for h in hits}
    replies = full_run.faq_replies
    answered = any(m["text"] in answers for m in replies)
    clarified = any(b.get("title") in titles for m in replies for b in m["meta"].get("buttons", []))
    assert answered or clarified, (_texts(replies), [h["id"] for h in hits])


def test_rasa_tracker_events_are_in_postgres(full_stack: ProductionStack, full_run: FullRun) -> None:
    rows = full_stack.dbs.query("rasa", "SELECT type_name, action_name, data FROM events WHERE sender_id = :s "
                                        "ORDER BY id", s=full_run.chat.id)
    types = [r[0] for r in rows]
    assert types.count("user") == 2 and types.count("bot") >= 2, types
    user_texts = [r[2] for r in rows if r[0] == "user"]
    assert ORDER_QUESTION in user_texts[0] and FAQ_QUESTION in user_texts[1]
    actions = {r[1] for r in rows if r[0] == "action"}
    assert "action_session_start" in actions and "action_kb_answer" in actions, actions
    assert actions & {"action_order_status", "action_track_parcel"}, actions
    assert any('"customer_id"' in r[2] and "C1002" in r[2] for r in rows if r[0] == "slot"), "customer_id slot"


def test_bridge_messages_are_in_postgres(full_stack: ProductionStack, full_run: FullRun) -> None:
    rows = bridge_rows(full_stack, full_run.chat.id)
    api = full_run.chat.messages()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [(m["seq"], m["role"], m["text"], m["state"]) for m in api]
    assert [r[1] for r in rows if r[1] == "customer"] == ["customer", "customer"]
    assert full_run.tracking_no in " ".join(r[2] for r in rows if r[1] == "bot")


def test_rasa_lock_store_uses_redis(full_run: FullRun) -> None:
    # Rasa writes the ticket lock of the conversation while a message is processed, then deletes it.
    events = [data for _, data in full_run.lock_events]
    assert events.count("set") >= 2 and events.count("del") >= 2, events
    assert events[-1] == "del"  # nothing left behind
    assert full_run.lock_clients, "no Redis client connected to the lock-store database"


def test_bridge_uses_redis_for_limits_and_fan_out(full_run: FullRun) -> None:
    client = redis_client()
    assert rate_limit_count(client, "customer_message", full_run.chat.id) == 2
    assert rate_limit_count(client, "customer_read", full_run.chat.id) >= 2
    assert full_run.updates.count(full_run.chat.id) >= 2  # customer message + bot answer, per turn


def test_bridge_restart_on_postgres_keeps_serving(full_stack: ProductionStack, full_run: FullRun) -> None:
    chat = full_run.chat
    before = chat.messages()
    old_pid, new_pid, seconds = full_stack.restart_bridge()
    TIMINGS["bridge restart"] = seconds
    assert new_pid != old_pid
    assert chat.messages() == before
    # The order question this suite already knows the bot answers: the point here is the restart.
    sent, replies = chat.say(f"Where is my order {ORDER} now?")
    assert sent["state"] == "answered" and full_run.tracking_no in _texts(replies), replies
    users = full_stack.dbs.query("rasa", "SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'",
                                 s=chat.id)
    assert users[0][0] == 3  # the same Rasa conversation continued
