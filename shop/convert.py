"""Turn ORM rows into the frozen records that leave the package."""

from __future__ import annotations

from shop import models as m
from shop.records import (
    AddressRecord,
    CustomerRecord,
    InvoiceRecord,
    OrderItemRecord,
    OrderRecord,
    RefundRecord,
    ReturnRequestRecord,
    ShipmentRecord,
    TrackingEventRecord,
)


def customer_record(c: m.Customer) -> CustomerRecord:
    return CustomerRecord(id=c.id, name=c.name, phone=c.phone, vip_tier=c.vip_tier, lang=c.lang, created_at=c.created_at)


def refund_record(r: m.Refund) -> RefundRecord:
    return RefundRecord(
        id=r.id,
        order_id=r.order_id,
        status=r.status,
        reason=r.reason,
        item_amount=r.item_amount,
        shipping_amount=r.shipping_amount,
        coupon_deduction=r.coupon_deduction,
        total=r.total,
        method=r.method,
        bank_name=r.bank_name,
        requested_at=r.requested_at,
        approved_at=r.approved_at,
        paid_at=r.paid_at,
        expected_by=r.expected_by,
    )


def return_record(r: m.ReturnRequest) -> ReturnRequestRecord:
    return ReturnRequestRecord(
        id=r.id,
        order_id=r.order_id,
        kind=r.kind,
        reason_category=r.reason_category,
        note=r.note,
        status=r.status,
        created_at=r.created_at,
    )


def invoice_record(i: m.Invoice) -> InvoiceRecord:
    return InvoiceRecord(
        id=i.id,
        order_id=i.order_id,
        kind=i.kind,
        title=i.title,
        tax_id=i.tax_id,
        email=i.email,
        status=i.status,
        requested_at=i.requested_at,
        issued_at=i.issued_at,
    )


def shipment_record(s: m.Shipment) -> ShipmentRecord:
    events = tuple(
        TrackingEventRecord(
            seq=e.seq, at=e.at, location=e.location, description_zh=e.description_zh, description_en=e.description_en
        )
        for e in sorted(s.events, key=lambda e: (e.at, e.seq))
    )
    return ShipmentRecord(
        id=s.id,
        courier=s.courier,
        tracking_no=s.tracking_no,
        status=s.status,
        promised_ship_by=s.promised_ship_by,
        eta=s.eta,
        delay_cause=s.delay_cause,
        alt_couriers=tuple(s.alt_couriers or ()),
        requested_courier=s.requested_courier,
        events=events,
    )


def order_record(o: m.Order) -> OrderRecord:
    items = tuple(
        OrderItemRecord(
            line=i.line,
            sku=i.sku,
            name=i.name,
            name_en=i.name_en,
            category=i.category,
            qty=i.qty,
            unit_price=i.unit_price,
            special=i.special,
        )
        for i in o.items
    )
    return OrderRecord(
        id=o.id,
        customer_id=o.customer_id,
        status=o.status,
        created_at=o.created_at,
        paid_at=o.paid_at,
        shipped_at=o.shipped_at,
        delivered_at=o.delivered_at,
        cancelled_at=o.cancelled_at,
        items_total=o.items_total,
        shipping_fee=o.shipping_fee,
        coupon_discount=o.coupon_discount,
        amount_paid=o.amount_paid,
        payment_method=o.payment_method,
        payment_bank=o.payment_bank,
        has_shipping_insurance=o.has_shipping_insurance,
        is_presale=o.is_presale,
        deposit_amount=o.deposit_amount,
        deposit_paid_at=o.deposit_paid_at,
        balance_due_by=o.balance_due_by,
        balance_paid_at=o.balance_paid_at,
        remark=o.remark,
        address=AddressRecord(province=o.address_province, city=o.address_city, detail=o.address_detail),
        invoice_requested=o.invoice_requested,
        invoice_issued=o.invoice_issued,
        items=items,
        shipments=tuple(shipment_record(s) for s in o.shipments),
        refunds=tuple(refund_record(r) for r in o.refunds),
        returns=tuple(return_record(r) for r in o.returns),
        invoices=tuple(invoice_record(i) for i in o.invoices),
    )
