"""Tracking: real progress, honest ETA, named cause, the delay explained on "why so slow?",
courier switch offer, acceptance and refusal."""

from __future__ import annotations

import pytest
from action_helpers import buttons, facts, make_tracker, said, slot_events, texts, turn_after
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.logistics import ActionConfirmCourierSwitch, ActionTrackParcel


def run(tracker, action=None):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    return d, (action or ActionTrackParcel()).run(d, tracker, {})


def test_weather_delay_names_cause_and_eta_in_english(services: Services) -> None:
    d, events = run(make_tracker("delivery_delay", lang="en", customer_id="C1002", slots={"order_id": "E1002000001"}))
    assert facts(d, "utter_delay_cause")["delay_cause"] == "weather"
    assert facts(d, "utter_eta")["date"] == "Nov 23"
    out = texts(d, "en")
    last = services.shop.get_order("E1002000001").shipment.events[-1]
    assert last.description_en in out and "weather" in out  # the real latest event, not a vague reassurance


def test_why_so_slow_after_tracking_explains_the_delay_of_that_order(services: Services) -> None:
    """'why so slow?' right after the tracking answer: the cause and ETA, not the same tracking again."""
    tracker = make_tracker("delivery_delay", text="why so slow?", lang="en", customer_id="C1002",
                           slots={"order_id": "E1002000001", "last_order_id": "E1002000001"},
                           events=turn_after("action_track_parcel", "delivery_delay"))
    d, events = run(tracker)
    assert "utter_tracking" not in said(d)
    assert facts(d, "utter_delay_cause")["delay_cause"] == "weather" and "utter_eta" in said(d)
    assert slot_events(events)["last_order_id"] == "E1002000001"


def test_why_so_slow_for_a_parcel_on_schedule_says_so(services: Services) -> None:
    tracker = make_tracker("delivery_delay", text="怎么这么慢", slots={"order_id": "E1001000003",
                           "last_order_id": "E1001000003"}, events=turn_after("action_track_parcel", "delivery_delay"))
    d, _ = run(tracker)
    assert said(d)[0] == "utter_delay_on_schedule" and "utter_delay_cause" not in said(d)


def test_lost_parcel_is_admitted_late_and_stalled(services: Services) -> None:
    d, _ = run(make_tracker("track_parcel", lang="en", customer_id="C1005", slots={"order_id": "E1005000003"}))
    assert "utter_eta_passed" in said(d) and "utter_tracking_stalled" in said(d)


def test_unreachable_courier_offers_switch_then_records_it(services: Services) -> None:
    d, events = run(make_tracker("track_parcel", customer_id="C1004", slots={"order_id": "E1004000001"}))
    assert facts(d, "utter_delay_cause")["delay_cause"] == "courier_unreachable"
    assert facts(d, "utter_courier_switch_offer")["courier"] == "EMS"
    assert slot_events(events)["awaiting"] == "courier_switch"

    d, events = run(make_tracker("affirm", text="好的，换快递", customer_id="C1004",
                                 slots={"awaiting": "courier_switch", "last_order_id": "E1004000001"}),
                    ActionConfirmCourierSwitch())
    assert facts(d, "utter_courier_switched")["courier"] == "EMS" and slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1004000001").shipment.requested_courier == "EMS"


@pytest.mark.parametrize("intent, text", [("deny", "/deny"), ("deny", "不用换了"), ("affirm", "不用了 谢谢"),
                                          ("deny", "No thanks")])
def test_refusing_the_courier_switch_keeps_the_courier(services: Services, intent: str, text: str) -> None:
    d, events = run(make_tracker(intent, text=text, customer_id="C1004",
                                 slots={"awaiting": "courier_switch", "last_order_id": "E1004000001"}),
                    ActionConfirmCourierSwitch())
    assert said(d) == ["utter_courier_kept"] and slot_events(events)["awaiting"] is None
    assert not services.shop.get_order("E1004000001").shipment.requested_courier


def test_unshipped_order_gives_promised_ship_date(services: Services) -> None:
    d, _ = run(make_tracker("track_parcel", slots={"order_id": "E1001000002"}))
    assert said(d) == ["utter_not_shipped_promised"] and facts(d, "utter_not_shipped_promised")["date"]
    assert not buttons(d)
