"""ShopRepository against the demo data, on SQLite and (marked postgres) on a throwaway PostgreSQL database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shop import AddressRecord, ShopRepository
from shop.rules import is_parcel_stalled, is_refund_late

NOW = datetime(2026, 11, 26, 10, 0, 0)  # same anchor as conftest.NOW


def test_customer_lookup(repo: ShopRepository) -> None:
    c = repo.get_customer("C1002")
    assert c is not None and (c.name, c.lang, c.vip_tier, c.phone) == ("Emily Chen", "en", "none", "13900001002")
    assert repo.get_customer("C9999") is None


def test_orders_newest_first_and_limited(repo: ShopRepository) -> None:
    orders = repo.orders_for_customer("C1001")
    assert len(orders) == 9
    assert [o.created_at for o in orders] == sorted((o.created_at for o in orders), reverse=True)
    assert len(repo.orders_for_customer("C1001", limit=3)) == 3
    latest = repo.latest_order("C1001")
    assert latest is not None and latest.id == orders[0].id
    assert repo.orders_for_customer("C9999") == []


def test_order_record_is_complete(repo: ShopRepository) -> None:
    o = repo.get_order("E1004000001")
    assert o is not None and o.shipment is not None
    assert o.shipment.delay_cause == "courier_unreachable"
    assert o.shipment.alt_couriers == ("EMS", "SF")
    assert o.shipment.events[-1].description_en
    assert o.items_total + o.shipping_fee - o.coupon_discount == o.amount_paid
    assert isinstance(o.amount_paid, Decimal)


def test_ownership_check(repo: ShopRepository) -> None:
    assert repo.order_for_customer("E1001000003", "C1001") is not None
    assert repo.order_for_customer("E1001000003", "C1002") is None
    assert repo.order_for_customer("E0000000000", "C1001") is None


def test_verify_phone_last4(repo: ShopRepository) -> None:
    assert repo.verify_phone_last4("E1001000003", "1001")
    assert not repo.verify_phone_last4("E1001000003", "1002")
    assert not repo.verify_phone_last4("E1001000003", "10a1")
    assert not repo.verify_phone_last4("E0000000000", "1001")


def test_cancel_unshipped_opens_refund_and_is_idempotent(repo: ShopRepository) -> None:
    before = repo.get_order("E1001000002")
    assert before is not None and before.status == "paid"
    first = repo.cancel_order("E1001000002", "C1001", "changed my mind")
    assert first.ok and not first.already and first.status == "cancelled"
    assert first.refund is not None
    r = first.refund
    assert r.total == before.amount_paid
    assert (r.item_amount, r.shipping_amount, r.coupon_deduction) == (before.items_total, before.shipping_fee, before.coupon_discount)
    assert r.expected_by is not None and r.expected_by > NOW
    second = repo.cancel_order("E1001000002", "C1001", "again")
    assert second.ok and second.already and second.refund == first.refund
    after = repo.get_order("E1001000002")
    assert after is not None and after.status == "cancelled" and len(after.refunds) == 1
    assert [a["action"] for a in repo.audit_log("E1001000002")] == ["cancel_order"]


def test_cancel_refused_when_shipped_or_not_owner(repo: ShopRepository) -> None:
    shipped = repo.cancel_order("E1001000003", "C1001", "")
    assert (shipped.ok, shipped.outcome, shipped.status) == (False, "already_shipped", "shipped")
    stranger = repo.cancel_order("E1003000002", "C1001", "")
    assert (stranger.ok, stranger.outcome) == (False, "not_owner")
    missing = repo.cancel_order("E0000000000", "C1001", "")
    assert missing.outcome == "not_found"
    still = repo.get_order("E1003000002")
    assert still is not None and still.status == "paid"


def test_cancel_pending_payment_needs_no_refund(repo: ShopRepository) -> None:
    result = repo.cancel_order("E1001000001", "C1001", "")
    assert result.ok and result.refund is None


def test_cancel_presale_with_deposit_goes_to_a_human(repo: ShopRepository) -> None:
    result = repo.cancel_order("E1003000003", "C1003", "")
    assert (result.ok, result.outcome) == (False, "presale_deposit")


def test_late_refund_detection(repo: ShopRepository) -> None:
    late = repo.late_refunds("C1005")
    assert [r.order_id for r in late] == ["E1005000002"]
    assert late[0].method == "bank_card" and late[0].bank_name
    on_time = repo.open_refunds("C1002")
    assert on_time and not any(is_refund_late(r, NOW) for r in on_time)
    assert repo.late_refunds("C1002") == []


def test_lost_parcel_detectable(repo: ShopRepository) -> None:
    o = repo.get_order("E1005000003")
    assert o is not None and o.shipment is not None and is_parcel_stalled(o.shipment, NOW)
    normal = repo.get_order("E1001000003")
    assert normal is not None and normal.shipment is not None and not is_parcel_stalled(normal.shipment, NOW)


def test_courier_switch(repo: ShopRepository) -> None:
    bad = repo.request_courier_switch("E1004000001", "YTO")
    assert (bad.ok, bad.outcome) == (False, "courier_unavailable") and "EMS" in bad.message
    ok = repo.request_courier_switch("E1004000001", "中国邮政EMS")
    assert ok.ok and not ok.already
    again = repo.request_courier_switch("E1004000001", "ems")
    assert again.ok and again.already
    o = repo.get_order("E1004000001")
    assert o is not None and o.shipment is not None and o.shipment.requested_courier == "EMS"
    none = repo.request_courier_switch("E1001000001", "EMS")
    assert none.outcome == "no_shipment"
    foreign = repo.request_courier_switch("E1004000001", "SF", customer_id="C1001")
    assert foreign.outcome == "not_owner"


def test_return_request_is_idempotent_and_needs_delivery(repo: ShopRepository) -> None:
    first = repo.create_return_request("E1001000004", "personal", "不喜欢")
    assert first.ok and first.ref_id
    second = repo.create_return_request("E1001000004", "personal", "不喜欢")
    assert second.ok and second.already and second.ref_id == first.ref_id
    o = repo.get_order("E1001000004")
    assert o is not None and o.status == "return_requested" and len(o.returns) == 1
    assert repo.create_return_request("E1003000002", "quality", "").outcome == "not_delivered"
    assert repo.create_return_request("E1001000004", "whatever", "").outcome == "bad_value"


def test_invoice_request(repo: ShopRepository) -> None:
    bad = repo.request_invoice("E1001000003", "vat_special", "某公司", tax_id="")
    assert (bad.ok, bad.outcome) == (False, "bad_value")
    first = repo.request_invoice("E1001000003", "electronic", "个人", email="zw@example.com")
    assert first.ok and first.outcome == "invoice_requested"
    again = repo.request_invoice("E1001000003", "electronic", "个人", email="zw@example.com")
    assert again.already and again.ref_id == first.ref_id
    issued = repo.request_invoice("E1001000005", "electronic", "个人", email="zw@example.com")
    assert issued.already and issued.outcome == "invoice_issued"
    assert repo.request_invoice("E1001000006", "paper", "个人").outcome == "not_invoiceable"


def test_change_address_only_before_shipment(repo: ShopRepository) -> None:
    new = AddressRecord("广东省", "深圳", "福田区深南大道6008号")
    ok = repo.change_address("E1003000002", new, customer_id="C1003")
    assert ok.ok
    o = repo.get_order("E1003000002")
    assert o is not None and o.address == new
    assert repo.change_address("E1003000002", new).already
    late = repo.change_address("E1003000001", {"province": "广东省", "city": "深圳", "detail": "x路1号"})
    assert (late.ok, late.outcome) == (False, "already_shipped")
    assert repo.change_address("E1003000002", AddressRecord("", "", "")).outcome == "bad_value"
