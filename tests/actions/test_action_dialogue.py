"""Session start, the order form, handoff, and the KB / fallback path."""

from __future__ import annotations

import asyncio

from action_helpers import facts, make_tracker, said, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import BridgeClient, Services
from actions.followups import ActionOtherOrder
from actions.handoff import ActionHandoff
from actions.knowledge import ActionKbAnswer
from actions.order_form import ActionAskOrderId, ValidateOrderForm
from actions.session import ActionSessionStart


def test_session_start_takes_customer_id_from_metadata(services: Services) -> None:
    tracker = make_tracker(customer_id=None, slots={"session_started_metadata": {"customer_id": "C1002"}, "lang": None})
    events = ActionSessionStart().run(CollectingDispatcher(), tracker, {})
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    assert slot_events(events)["customer_id"] == "C1002" and slot_events(events)["lang"] == "en"


def test_form_preselects_the_only_fitting_order(services: Services) -> None:
    form = ValidateOrderForm()
    tracker = make_tracker("track_parcel", customer_id="C1004", slots={"order_topic": "track"}, active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), tracker, {})) == {"order_id": "E1004000001"}
    many = make_tracker("track_parcel", customer_id="C1001", slots={"order_topic": "track"}, active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), many, {})) == {}


def test_form_lists_several_orders_as_buttons(services: Services) -> None:
    d = CollectingDispatcher()
    events = ActionAskOrderId().run(d, make_tracker("track_parcel", slots={"order_topic": "track"}), {})
    payloads = [b["payload"] for b in d.messages[0]["buttons"]]
    assert said(d) == ["utter_which_order_track"]
    assert sorted(slot_events(events)["offered_orders"]) == ["E1001000002", "E1001000003"]
    assert payloads == ['/inform_order_id{"order_id":"E1001000003"}', '/inform_order_id{"order_id":"E1001000002"}'] or \
        sorted(payloads) == sorted(['/inform_order_id{"order_id":"E1001000003"}', '/inform_order_id{"order_id":"E1001000002"}'])


def test_form_refuses_another_customers_order(services: Services) -> None:
    d = CollectingDispatcher()
    result = ValidateOrderForm().validate_order_id("E1002000001", d, make_tracker("inform_order_id"), {})
    assert result == {"order_id": None} and facts(d, "utter_order_not_yours")["order_id"] == "E1002000001"
    result = ValidateOrderForm().validate_order_id("e1001000003", d, make_tracker("inform_order_id"), {})
    assert result == {"order_id": "E1001000003", "last_order_id": "E1001000003"}


def test_form_without_identity_verifies_phone_digits(services: Services) -> None:
    form = ValidateOrderForm()
    anon = make_tracker("inform_order_id", customer_id=None, slots={"order_id": "E1002000001"})
    assert asyncio.run(form.required_slots(["order_id"], CollectingDispatcher(), anon, {})) == ["order_id", "phone_last4"]
    d = CollectingDispatcher()
    assert form.validate_phone_last4("9999", d, anon, {}) == {"phone_last4": None, "order_id": None}
    ok = form.validate_phone_last4("1002", CollectingDispatcher(), anon, {})
    assert ok["verified_orders"] == ["E1002000001"] and ok["last_order_id"] == "E1002000001"


def test_handoff_reports_the_fact_and_tells_the_customer(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    events = ActionHandoff().run(d, make_tracker("ask_human", text="转人工", sender="h-1"), {})
    assert bridge.notices[0]["facts"] == ["requested_human"] and bridge.notices[0]["conversation_id"] == "h-1"
    assert said(d) == ["utter_handoff_requested_human"] and slot_events(events)["handoff_reason"] == "requested_human"


def test_complaint_fact(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    ActionHandoff().run(CollectingDispatcher(), make_tracker("complaint", text="再不处理我就投诉12315"), {})
    assert [n["facts"] for n in bridge.notices] == [["complaint"]]


def test_not_understood_carries_the_structured_fallback_flag(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    ActionKbAnswer().run(d, make_tracker("nlu_fallback", text="帮我写一首关于月亮的诗"), {})
    assert [m.get("custom") for m in d.messages if m.get("response") == "utter_not_understood"] == [{"fallback": True}]


def test_handoff_still_answers_when_bridge_is_down(services: Services) -> None:
    services.bridge = BridgeClient("http://127.0.0.1:9", "x", 0.5)  # nothing listens on port 9
    d = CollectingDispatcher()
    ActionHandoff().run(d, make_tracker("ask_human", lang="en", text="human please"), {})
    assert said(d) == ["utter_handoff_requested_human"]


def test_handoff_during_form_closes_the_form(services: Services) -> None:
    events = ActionHandoff().run(CollectingDispatcher(), make_tracker("ask_human", active_loop="order_form"), {})
    assert {"event": "active_loop", "name": None, "timestamp": None} in [
        {k: e.get(k) for k in ("event", "name", "timestamp")} for e in events]


def test_kb_answer_records_entry_and_score(services: Services) -> None:
    d = CollectingDispatcher()
    events = ActionKbAnswer().run(d, make_tracker("coupon_price_protection", lang="en", text="how do I get price protection"), {})
    slots = slot_events(events)
    assert slots["kb_entry_id"] == "faq.promo.price_protection" and 0 < slots["kb_score"] <= 1
    assert slots["kb_failures"] == 0.0 and texts(d)


def test_kb_twice_not_understood_goes_to_a_human(services: Services, bridge) -> None:  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    events = ActionKbAnswer().run(d, make_tracker("nlu_fallback", text="zzzz qqqq"), {})
    assert slot_events(events)["kb_failures"] == 1.0 and said(d) == ["utter_not_understood"] and not bridge.notices
    d = CollectingDispatcher()
    events = ActionKbAnswer().run(d, make_tracker("nlu_fallback", text="zzzz qqqq", slots={"kb_failures": 1.0}), {})
    assert bridge.notices[0]["facts"] == ["bot_failed"] and said(d) == ["utter_handoff_bot_failed"]


def test_kb_close_hits_become_a_clarifying_question(services: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from actions import knowledge

    real = services.kb.search

    def close_hits(query: str, **kw):  # type: ignore[no-untyped-def]
        result = real(query, **kw)
        result["hits"][1]["score"] = result["hits"][0]["score"] - 0.001  # force a near tie on real hits
        result["in_scope"] = True
        return result

    monkeypatch.setattr(services.kb, "search", close_hits)
    d = CollectingDispatcher()
    knowledge.ActionKbAnswer().run(d, make_tracker("nlu_fallback", text="怎么申请价保"), {})
    assert len(d.messages[0]["buttons"]) == 2 and said(d) == ["utter_kb_clarify"]


def test_form_picks_the_order_of_the_named_product(services: Services) -> None:
    """'return the shoes' means the shoes order, not the only order that fits the return topic."""
    form = ValidateOrderForm()
    shoes = make_tracker("return_goods", text="I want to return the shoes, they are too small", lang="en",
                         customer_id="C1002", slots={"order_topic": "return"}, active_loop="order_form",
                         entities=[{"entity": "product", "value": "shoes"}])
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), shoes, {})) == {"order_id": "E1002000002"}
    no_entity = make_tracker("return_goods", text="can I send the earbuds back", lang="en", customer_id="C1002",
                             slots={"order_topic": "return"}, active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), no_entity, {})) == {"order_id": "E1002000001"}
    zh = make_tracker("return_goods", text="我买的车厘子想退货", customer_id="C1004", slots={"order_topic": "return"},
                      active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), zh, {})) == {"order_id": "E1004000002"}


def test_form_leaves_a_new_question_to_the_detour_rules(services: Services) -> None:
    """After "which order?", a product question is a new topic; a bare product name answers the form."""
    form = ValidateOrderForm()
    slots = {"order_topic": "return", "requested_slot": "order_id"}
    question = make_tracker("product_question", text="这款空气炸锅怎么用", slots=slots, active_loop="order_form",
                            entities=[{"entity": "product", "value": "空气炸锅"}])
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), question, {})) == {}
    answer = make_tracker("nlu_fallback", text="空气炸锅那个", slots=slots, active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), answer, {})) == {"order_id": "E1001000004"}


def test_follow_up_question_reuses_the_current_order(services: Services) -> None:
    """'那退款呢' / 'why so slow' after an answer about E1001000003: the same order, no new choice."""
    form = ValidateOrderForm()
    for intent, topic in [("refund_status", "refund"), ("delivery_delay", "track"), ("order_status", "status")]:
        tracker = make_tracker(intent, text="那这个呢", slots={"order_topic": topic, "last_order_id": "E1001000003"},
                               active_loop="order_form")
        assert asyncio.run(form.extract_order_id(CollectingDispatcher(), tracker, {})) == {"order_id": "E1001000003"}


def test_new_topic_that_cannot_be_the_current_order_offers_a_choice(services: Services) -> None:
    """A return right after tracking a parcel still on its way is about another (delivered) order."""
    form = ValidateOrderForm()
    tracker = make_tracker("return_goods", text="我要退货", slots={"order_topic": "return", "last_order_id": "E1001000003"},
                           active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), tracker, {})) != {"order_id": "E1001000003"}
    named = make_tracker("track_parcel", text="空气炸锅到哪了", slots={"order_topic": "track", "last_order_id": "E1001000003"},
                         active_loop="order_form")
    assert asyncio.run(form.extract_order_id(CollectingDispatcher(), named, {})) != {"order_id": "E1001000003"}


def test_the_other_one_answers_the_same_topic_for_the_other_offered_order(services: Services) -> None:
    d = CollectingDispatcher()
    events = ActionOtherOrder().run(d, make_tracker("other_order", text="另一个呢", slots={
        "order_topic": "track", "last_order_id": "E1001000003", "offered_orders": ["E1001000003", "E1001000002"]}), {})
    assert said(d) == ["utter_not_shipped_promised"] and facts(d, "utter_not_shipped_promised")["order_id"] == "E1001000002"
    assert slot_events(events)["last_order_id"] == "E1001000002"


def test_the_other_one_among_several_keeps_the_topic_in_its_buttons(services: Services) -> None:
    d = CollectingDispatcher()
    ActionOtherOrder().run(d, make_tracker("other_order", text="the other one", lang="en", slots={
        "order_topic": "invoice", "last_order_id": "E1001000005"}), {})
    assert said(d) == ["utter_which_other_order"]
    payloads = [b["payload"] for b in d.messages[0]["buttons"]]
    assert payloads and all(p.startswith('/invoice{"order_id":"E1001') for p in payloads)
    assert not any("E1001000005" in p for p in payloads)
