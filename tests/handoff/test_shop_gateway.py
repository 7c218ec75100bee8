"""Shop gateway against the real shop package (demo data in a temp SQLite file) and its cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.clients.shop import CachedShop, open_shop


@pytest.fixture(scope="module")
def shop_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    cli = pytest.importorskip("shop.cli")
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('shop')) / 'shop.db'}"
    if cli.main(["demo", "--db-url", url]) != 0:
        pytest.skip("shop demo generator failed")
    return url


def test_demo_customer_profile_and_orders(shop_url: str) -> None:
    shop = open_shop(shop_url)
    assert shop is not None
    customer = shop.customer("C1003")
    assert customer is not None and customer["vip_tier"] == "diamond"
    orders = shop.orders("C1001")
    assert orders and all(o["id"].startswith("E") and len(o["id"]) == 11 for o in orders)
    assert any(o["tracking"] for o in orders) and all(o["amount"] >= 0 for o in orders)
    assert shop.customer("C0000") is None


def test_missing_sqlite_file_means_no_shop(tmp_path: Path) -> None:
    assert open_shop(f"sqlite:///{tmp_path / 'absent.db'}") is None
    assert not (tmp_path / "absent.db").exists()


def test_cache_expires() -> None:
    calls: list[str] = []
    now = [0.0]

    class Inner:
        def customer(self, cid: str) -> None:
            calls.append(cid)

        def orders(self, cid: str) -> list:  # type: ignore[type-arg]
            return []

    cached = CachedShop(Inner(), ttl_seconds=10, clock=lambda: now[0])  # type: ignore[arg-type]
    cached.customer("C1"), cached.customer("C1")
    now[0] = 11
    cached.customer("C1")
    assert calls == ["C1", "C1"]
