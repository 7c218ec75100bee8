"""End to end over the REST channel: KB service, action server and `rasa run` (trained or reused model).

Starts the processes with scripts/stack.py (random ports, logs in a temp dir, always stopped), a demo
shop in a temp SQLite loaded "now", and a recording bridge; then chats in Chinese and English as the
fixed demo customers and checks policy-true answers. Marked e2e (slow: trains a model when missing).
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
LATENCIES: dict[str, list[float]] = {}
SHOP: dict[str, str] = {}  # url of the demo shop the stack uses (to check what the bot did, not what it said)


class Bridge:
    """Records handoff notices over real HTTP (stands in for the handoff bridge)."""

    def __init__(self) -> None:
        self.notices: list[dict[str, Any]] = []
        notices = self.notices

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                notices.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0))))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, bridge: Bridge) -> Iterator[Any]:
    pytest.importorskip("rasa_sdk")
    from scripts.stack import Ports, Stack, ensure_model
    from shop import make_engine
    from shop.setup import load_demo

    if not (ROOT / ".venv" / "rasa" / "bin" / "rasa").exists():
        pytest.skip("Rasa virtualenv not installed")
    tmp = tmp_path_factory.mktemp("e2e")
    shop_url = f"sqlite:///{tmp / 'shop.db'}"
    load_demo(make_engine(shop_url))
    SHOP["url"] = shop_url
    kb_dir = Path(os.environ.get("KB_DIR", ROOT / "var" / "kb"))
    if not (kb_dir / "manifest.json").exists():
        from kb.setup import prepare_demo

        prepare_demo(ROOT, kb_dir=kb_dir)
    ports = Ports.random()
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports.actions}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / "tracker.db"}"\n', encoding="utf-8")
    # E2E_RASA_MODEL reuses a model trained elsewhere; otherwise train (or reuse) the fingerprinted one.
    model = Path(os.environ["E2E_RASA_MODEL"]) if os.environ.get("E2E_RASA_MODEL") else ensure_model()
    st = Stack(ports=ports, model=model, log_dir=tmp / "logs", services=("kb", "actions", "rasa"),
               endpoints=str(endpoints),
               extra_env={"SHOP_DATABASE_URL": shop_url, "KB_DIR": str(kb_dir), "BRIDGE_URL": bridge.url})
    with st:
        yield st
    if LATENCIES:
        summary = {k: f"median {statistics.median(v) * 1000:.0f} ms, max {max(v) * 1000:.0f} ms (n={len(v)})"
                   for k, v in LATENCIES.items()}
        print("\n[e2e] REST reply latency:", json.dumps(summary, ensure_ascii=False))


class Chat:
    def __init__(self, stack: Any, customer_id: str) -> None:
        self.url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
        self.sender = f"e2e-{customer_id}-{uuid.uuid4().hex[:8]}"
        self.customer_id = customer_id

    def say(self, text: str, kind: str = "other") -> str:
        started = time.perf_counter()
        reply = requests.post(self.url, json={"sender": self.sender, "message": text,
                                              "metadata": {"customer_id": self.customer_id}}, timeout=60)
        LATENCIES.setdefault(kind, []).append(time.perf_counter() - started)
        reply.raise_for_status()
        return "\n".join(str(m.get("text", "")) + " " + json.dumps(m.get("buttons", []), ensure_ascii=False)
                         for m in reply.json())


def test_zh_tracking_lists_orders_then_answers(stack: Any) -> None:
    chat = Chat(stack, "C1001")
    assert "您好" in chat.say("你好")
    listing = chat.say("我的快递到哪了", "tracking")
    assert "E1001000003" in listing and "E1001000002" in listing  # two fitting orders: choose
    answer = chat.say('/inform_order_id{"order_id":"E1001000003"}', "tracking")
    assert "YTO" in answer and "E1001000003" in answer


def test_en_weather_delay_is_named_with_eta(stack: Any) -> None:
    chat = Chat(stack, "C1002")
    answer = chat.say("Why is my parcel so late? E1002000001", "tracking")
    assert "weather" in answer and "Expected delivery" in answer


def test_zh_other_customers_order_is_refused(stack: Any) -> None:
    chat = Chat(stack, "C1002")
    answer = chat.say("帮我查下订单E1001000003的状态", "order")
    assert "YTO" not in answer


def test_en_return_asks_reason_before_postage(stack: Any) -> None:
    chat = Chat(stack, "C1001")
    first = chat.say("I want to return order E1001000004", "order")
    assert "7-day" in first and "Quality problem" in first
    assert "shop pays" not in first and "you pay" not in first
    second = chat.say('/inform_return_reason{"return_reason":"personal"}', "order")
    assert "¥12.00" in second


def test_zh_fresh_food_excluded(stack: Any) -> None:
    chat = Chat(stack, "C1004")
    assert "不支持七天无理由" in chat.say("我买的车厘子想退货 E1004000002", "order")


def test_en_late_refund_goes_to_human(stack: Any, bridge: Bridge) -> None:
    chat = Chat(stack, "C1005")
    answer = chat.say("Where is my refund for E1005000002?", "order")
    assert "E1005000002" in answer
    assert any(n["conversation_id"] == chat.sender and "late_refund" in n["facts"] for n in bridge.notices)


def test_zh_ask_human_is_reported_to_the_bridge(stack: Any, bridge: Bridge) -> None:
    chat = Chat(stack, "C1003")
    assert "人工" in chat.say("转人工")
    assert any(n["conversation_id"] == chat.sender and "requested_human" in n["facts"] for n in bridge.notices)


def test_faq_answer_from_kb(stack: Any) -> None:
    chat = Chat(stack, "C1002")
    answer = chat.say("How does price protection work?", "faq")
    assert answer.strip()
    tracker = requests.get(f"http://127.0.0.1:{stack.ports.rasa}/conversations/{chat.sender}/tracker",
                           params={"token": stack.env["RASA_TOKEN"]}, timeout=10).json()
    assert tracker["slots"]["lang"] == "en"
    assert tracker["slots"]["kb_entry_id"] or "?" in answer  # answered (entry recorded) or clarifying


def test_zh_fresh_food_named_without_order_number(stack: Any) -> None:
    chat = Chat(stack, "C1004")
    answer = chat.say("我买的车厘子想退货", "order")
    assert "E1004000002" in answer and "不支持七天无理由" in answer


def test_zh_new_question_while_the_order_form_asks(stack: Any) -> None:
    """The form asks which order; the customer asks about invoices instead and gets an invoice answer."""
    chat = Chat(stack, "C1001")
    assert "您有多个订单" in chat.say("你好，我的订单到哪了？", "tracking")
    detour = chat.say("好的，那发票怎么开？", "order")
    assert "发票" in detour
    answer = chat.say('/inform_order_id{"order_id":"E1001000005"}', "order")
    assert "E1001000005" in answer and "发票" in answer


@pytest.mark.parametrize("customer, opener, detours", [
    ("C1001", "我的快递到哪了", ["谢谢", "运费险能赔多少钱", "你是机器人吗", "我要取消订单", "今天天气怎么样"]),
    ("C1001", "我要退货", ["这款空气炸锅怎么用", "你好", "嗯嗯好的"]),
    ("C1002", "What's the status of my order?", ["how do I get an invoice?", "How much does shipping insurance pay?",
                                                "thanks", "where is my refund", "asdfgh"]),
])
def test_every_detour_during_the_order_form_gets_a_reply(stack: Any, customer: str, opener: str,
                                                         detours: list[str]) -> None:
    for detour in detours:
        chat = Chat(stack, customer)
        asked = chat.say(opener, "order")
        assert "inform_order_id" in asked  # the form is waiting for an order
        assert chat.say(detour).strip(), f"no reply to {detour!r} after {opener!r}"


def test_en_named_product_picks_its_order_then_general_insurance_answer(stack: Any) -> None:
    chat = Chat(stack, "C1002")
    answer = chat.say("I want to return the shoes, they are too small", "order")
    assert "E1002000002" in answer and "E1002000003" not in answer
    insurance = chat.say("How much does shipping insurance pay?", "faq")
    assert "¥12.00" in insurance and "72 hours" in insurance and "yours to pay" not in insurance


@pytest.mark.parametrize("customer, text, expected", [
    ("C1001", "谢谢", "不客气"), ("C1001", "再见", "祝您生活愉快"),
    ("C1002", "Hello", "Hi!"), ("C1002", "thank you", "You're welcome"), ("C1002", "bye", "great day"),
])
def test_small_talk_answers(stack: Any, customer: str, text: str, expected: str) -> None:
    assert expected in Chat(stack, customer).say(text)


def test_zh_faq_answer_from_kb(stack: Any) -> None:
    chat = Chat(stack, "C1001")
    answer = chat.say("价保怎么申请？", "faq")
    assert answer.strip()
    tracker = requests.get(f"http://127.0.0.1:{stack.ports.rasa}/conversations/{chat.sender}/tracker",
                           params={"token": stack.env["RASA_TOKEN"]}, timeout=10).json()
    assert tracker["slots"]["kb_entry_id"] or "?" in answer or "？" in answer


def shop_order(order_id: str) -> Any:
    from shop import ShopRepository, make_engine

    return ShopRepository(make_engine(SHOP["url"])).get_order(order_id)


def test_en_delay_question_after_an_order_question_and_an_faq(stack: Any) -> None:
    """Known gap of issue 7: order question, FAQ, then a delay question with the number got no prediction."""
    chat = Chat(stack, "C1002")
    assert "E1002000001" in chat.say("What is the status of my order E1002000001?", "order")
    assert chat.say("How does price protection work?", "faq").strip()
    answer = chat.say("Why is my parcel so late? E1002000001", "tracking")
    assert "weather" in answer and "Nov" in answer


def test_zh_delay_question_naming_the_product_is_about_its_order(stack: Any) -> None:
    chat = Chat(stack, "C1004")
    answer = chat.say("我的羽绒服怎么还没到？", "tracking")
    assert "E1004000001" in answer and "EMS" in answer  # that order, with the courier-switch offer
    chat.say("不用换了", "order")
    assert not shop_order("E1004000001").shipment.requested_courier  # refused: nothing switched


def test_zh_follow_ups_stay_on_the_current_order(stack: Any) -> None:
    chat = Chat(stack, "C1001")
    listing = chat.say("我的快递到哪了", "tracking")
    assert "E1001000003" in listing and "E1001000002" in listing
    assert "YTO" in chat.say('/inform_order_id{"order_id":"E1001000003"}', "tracking")
    slow = chat.say("怎么这么慢", "tracking")
    assert "E1001000003" in slow and "inform_order_id" not in slow  # no new choice of orders
    refund = chat.say("那退款呢", "order")
    assert "E1001000003" in refund and "inform_order_id" not in refund
    other = chat.say("另一个呢", "order")
    assert "E1001000002" in other and "E1001000003" not in other


@pytest.mark.parametrize("refusal", ["先不取消了", "不取消了", "算了不取消"])
def test_zh_refusing_the_cancellation_keeps_the_order(stack: Any, refusal: str) -> None:
    chat = Chat(stack, "C1001")
    ask = chat.say("我要取消订单E1001000002", "order")
    assert "E1001000002" in ask and "/deny" in ask
    kept = chat.say(refusal, "order")
    assert "E1001000002" in kept and "/affirm" not in kept  # not asked again as a new cancel request
    assert shop_order("E1001000002").status == "paid"


# Runs last: it cancels E1001000002 in the shared demo shop, which changes which orders C1001 is offered.
def test_zh_cancel_unshipped_with_confirmation(stack: Any) -> None:
    chat = Chat(stack, "C1001")
    ask = chat.say("我要取消订单E1001000002", "order")
    assert "确认取消" in ask
    done = chat.say("/affirm", "order")
    assert "已取消" in done and "优惠券" in done
