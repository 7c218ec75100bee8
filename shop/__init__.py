"""Shop database package: models, frozen records and the ShopRepository shared by actions/ and handoff/."""

from shop.db import create_schema, default_url, make_engine
from shop.records import (
    ActionResult,
    AddressRecord,
    CancelResult,
    CustomerRecord,
    InvoiceRecord,
    OrderItemRecord,
    OrderRecord,
    RefundRecord,
    ReturnRequestRecord,
    ShipmentRecord,
    TrackingEventRecord,
)
from shop.repository import ShopRepository

__all__ = [
    "ActionResult",
    "AddressRecord",
    "CancelResult",
    "CustomerRecord",
    "InvoiceRecord",
    "OrderItemRecord",
    "OrderRecord",
    "RefundRecord",
    "ReturnRequestRecord",
    "ShipmentRecord",
    "ShopRepository",
    "TrackingEventRecord",
    "create_schema",
    "default_url",
    "make_engine",
]
