"""Tracking: real progress, honest ETA, named cause, courier switch offer and acceptance."""

from __future__ import annotations

from action_helpers import make_tracker, slot_events, texts
from rasa_sdk.executor import CollectingDispatcher

from actions.clients import Services
from actions.logistics import ActionTrackParcel


def run(tracker):  # type: ignore[no-untyped-def]
    d = CollectingDispatcher()
    return d, ActionTrackParcel().run(d, tracker, {})


def test_weather_delay_names_cause_and_eta_in_english(services: Services) -> None:
    d, events = run(make_tracker("delivery_delay", lang="en", customer_id="C1002", slots={"order_id": "E1002000001"}))
    out = texts(d)
    assert "bad weather" in out and "Nov 23" in out
    last = services.shop.get_order("E1002000001").shipment.events[-1]
    assert last.description_en in out  # the real latest event, not a vague reassurance


def test_lost_parcel_is_admitted_late_and_stalled(services: Services) -> None:
    d, _ = run(make_tracker("track_parcel", lang="en", customer_id="C1005", slots={"order_id": "E1005000003"}))
    out = texts(d)
    assert "now late" in out and "hasn't updated" in out


def test_unreachable_courier_offers_switch_then_records_it(services: Services) -> None:
    d, events = run(make_tracker("track_parcel", customer_id="C1004", slots={"order_id": "E1004000001"}))
    out = texts(d)
    assert "无法派送" in out and "EMS" in out and "换快递" in str(d.messages[-1].get("buttons"))
    assert slot_events(events)["awaiting"] == "courier_switch"

    d, events = run(make_tracker("affirm", customer_id="C1004",
                                 slots={"awaiting": "courier_switch", "last_order_id": "E1004000001"}))
    assert "EMS" in texts(d) and slot_events(events)["awaiting"] is None
    assert services.shop.get_order("E1004000001").shipment.requested_courier == "EMS"


def test_unshipped_order_gives_promised_ship_date(services: Services) -> None:
    d, _ = run(make_tracker("track_parcel", slots={"order_id": "E1001000002"}))
    assert "还没发货" in texts(d) and "前发出" in texts(d)
