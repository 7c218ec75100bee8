"""Import/export through the CLI: round trips, precise errors, and nothing written when any file is bad."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from shop.cli import main
from shop.db import make_engine
from shop.repository import ShopRepository

CUSTOMERS_CSV = """id,name,phone,vip_tier,lang,created_at
C5001,赵敏,13811112222,gold,zh,2026-01-05T10:00:00
C5002,Ann Lee,13911113333,none,en,2026-02-01T09:30:00
"""
ORDERS = {
    "orders": [
        {"id": "E5000000001", "customer_id": "C5001", "status": "shipped", "created_at": "2026-11-20T10:00:00",
         "paid_at": "2026-11-20T10:05:00", "shipped_at": "2026-11-21T08:00:00", "items_total": "258.00",
         "shipping_fee": 0, "coupon_discount": 10, "amount_paid": 248, "payment_method": "wechat",
         "has_shipping_insurance": True, "address_province": "浙江省", "address_city": "杭州", "address_detail": "文三路1号"},
        {"id": "E5000000002", "customer_id": "C5002", "status": "paid", "created_at": "2026-11-25T10:00:00",
         "paid_at": "2026-11-25T10:01:00", "items_total": 79, "shipping_fee": 10, "amount_paid": 89},
    ],
    "items": [
        {"order_id": "E5000000001", "line": 1, "sku": "JEANS-SLIM-M", "name": "牛仔裤", "category": "apparel", "qty": 1, "unit_price": "258.00"},
        {"order_id": "E5000000002", "line": 1, "sku": "TSHIRT-COT-BASIC", "name": "T恤", "category": "apparel", "qty": 1, "unit_price": 79},
    ],
    "shipments": [
        {"id": "SH5000000001", "order_id": "E5000000001", "courier": "ZTO", "tracking_no": "ZTO1", "status": "exception",
         "delay_cause": "courier_unreachable", "alt_couriers": ["EMS", "SF"], "eta": "2026-11-29"},
    ],
    "events": [
        {"shipment_id": "SH5000000001", "seq": 1, "at": "2026-11-21T08:00:00", "location": "杭州", "description_zh": "已揽收"},
    ],
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _good_files(tmp_path: Path) -> list[Path]:
    return [_write(tmp_path, "customers.csv", CUSTOMERS_CSV),
            _write(tmp_path, "shop-export.json", json.dumps(ORDERS, ensure_ascii=False))]


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return ShopRepository(engine).counts()
    finally:
        engine.dispose()


def test_import_good_files_and_upsert(tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = _good_files(tmp_path)
    assert main(["import", "--db-url", sqlite_url, *map(str, files)]) == 0
    assert "2 customers" in capsys.readouterr().out
    engine = make_engine(sqlite_url)
    repo = ShopRepository(engine, clock=lambda: datetime(2026, 11, 26))
    o = repo.get_order("E5000000001")
    assert o is not None and o.shipment is not None and o.shipment.alt_couriers == ("EMS", "SF")
    assert str(o.amount_paid) == "248.00" and o.has_shipping_insurance
    # Upsert by id: a second import with a changed value updates, does not duplicate.
    _write(tmp_path, "customers.csv", CUSTOMERS_CSV.replace("gold", "diamond"))
    assert main(["import", "--db-url", sqlite_url, *map(str, files)]) == 0
    c = repo.get_customer("C5001")
    assert c is not None and c.vip_tier == "diamond"
    assert repo.counts()["customers"] == 2 and repo.counts()["orders"] == 2
    engine.dispose()


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("customers.csv", CUSTOMERS_CSV.replace("gold", "platinum"), ["customers.csv", "line 2", "'vip_tier'", "platinum"]),
    ("customers.csv", CUSTOMERS_CSV.replace(",13911113333,", ",,"), ["customers.csv", "line 3", "'phone'", "required"]),
    ("customers.csv", CUSTOMERS_CSV.replace("2026-02-01T09:30:00", "yesterday"), ["line 3", "'created_at'", "ISO"]),
    ("customers.csv", CUSTOMERS_CSV + "C5001,重复,13800000000,none,zh,2026-01-05T10:00:00\n", ["line 4", "duplicate"]),
    ("customers.csv", CUSTOMERS_CSV.replace("lang,", "lang,colour,").replace(",zh,", ",zh,red,").replace(",en,", ",en,blue,"),
     ["line 2", "'colour'", "unknown field"]),
    ("people.csv", CUSTOMERS_CSV, ["people.csv", "table from the file name"]),
    ("customers.json", "[{\"id\": \"C1\",}]", ["customers.json", "line 1", "invalid JSON"]),
    ("customers.txt", "x", ["customers.txt", "unsupported"]),
])
def test_bad_customer_file_names_file_line_field(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: list[str]
) -> None:
    bad = _write(tmp_path, name, text)
    assert main(["import", "--db-url", sqlite_url, str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing written" in err
    for piece in expected:
        assert piece in err, err


def test_one_bad_file_means_nothing_is_written(tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    customers, _ = _good_files(tmp_path)
    broken = json.loads(json.dumps(ORDERS))
    broken["orders"][1]["amount_paid"] = "89.999"
    broken["items"][0]["order_id"] = "E5000000009"
    broken["orders"][0]["id"] = "E50001"
    bad = _write(tmp_path, "orders.json", json.dumps(broken))
    assert main(["import", "--db-url", sqlite_url, str(customers), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "orders.json: orders record 2 (id E5000000002): field 'amount_paid': amount has more than 2 decimals" in err
    assert "items record 1: field 'order_id': 'E5000000009' not found in orders" in err
    assert "field 'id'" in err and "E50001" in err
    assert _counts(sqlite_url)["customers"] == 0


def test_reference_to_existing_rows_is_accepted(tmp_path: Path, sqlite_url: str) -> None:
    customers, orders = _good_files(tmp_path)
    assert main(["import", "--db-url", sqlite_url, str(customers)]) == 0
    assert main(["import", "--db-url", sqlite_url, str(orders)]) == 0  # customers already in the database
    assert _counts(sqlite_url)["orders"] == 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_round_trip_of_the_demo(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert main(["demo", "--db-url", src, "--now", "2026-11-26T10:00:00"]) == 0
    out = tmp_path / ("export.json" if fmt == "json" else "csv")
    assert main(["export", "--db-url", src, "--format", fmt, "--out", str(out)]) == 0
    files = [out] if fmt == "json" else sorted(out.glob("*.csv"))
    assert main(["import", "--db-url", dst, *map(str, files)]) == 0
    again = tmp_path / "again.json"
    assert main(["export", "--db-url", dst, "--out", str(again)]) == 0
    if fmt == "json":
        assert json.loads(again.read_text(encoding="utf-8")) == json.loads(out.read_text(encoding="utf-8"))
    assert _counts(src) == _counts(dst)


def test_show_and_customer_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["demo", "--db-url", url]) == 0
    assert main(["show", "--db-url", url, "E1005000002"]) == 0
    assert "LATE" in capsys.readouterr().out
    assert main(["customer", "--db-url", url, "C1003", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer"]["vip_tier"] == "diamond" and len(data["orders"]) == 4
    assert main(["show", "--db-url", url, "E0000000000"]) == 1
    assert "not found" in capsys.readouterr().err
