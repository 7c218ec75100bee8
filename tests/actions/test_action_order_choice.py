"""Which order a message is about: the named product first, then the topic's usual statuses."""

from __future__ import annotations

import pytest

from actions.order_choice import names_product, orders_to_offer
from shop import ShopRepository


def ids(orders) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.id for o in orders]


@pytest.mark.parametrize("text, products, expected", [
    ("I want to return the shoes, they are too small", ["shoes"], ["E1002000002"]),
    ("I want to return the shoes", [], ["E1002000002"]),            # head noun of the item name
    ("the running shoe I bought", ["running shoe"], ["E1002000002"]),
    ("return the sunscreen please", [], ["E1002000003"]),
    ("I want to return it", [], ["E1002000003"]),                    # no product: the topic decides
])
def test_named_product_wins_over_topic(shop: ShopRepository, text: str, products: list[str],
                                       expected: list[str]) -> None:
    orders = shop.orders_for_customer("C1002")
    assert ids(orders_to_offer(orders, "return", text, products)) == expected


def test_chinese_product_words(shop: ShopRepository) -> None:
    orders = shop.orders_for_customer("C1001")
    assert ids(orders_to_offer(orders, "return", "我的跑步鞋想退", [])) == ["E1001000003"]
    assert ids(orders_to_offer(orders, "return", "鞋子想退", ["鞋"])) == ["E1001000003"]
    # generic shop words never count as naming a product
    assert not any(names_product(o, "我的订单 快递 退货", []) for o in orders)


def test_several_named_orders_are_narrowed_by_topic(shop: ShopRepository) -> None:
    orders = shop.orders_for_customer("C1004")  # T-shirts (completed) and a down jacket (shipped)
    both = orders_to_offer(orders, "return", "羽绒服和T恤", ["羽绒服", "T恤"])
    assert ids(both) == ["E1004000003"]  # only the completed one fits a return
    assert sorted(ids(orders_to_offer(orders, None, "羽绒服和T恤", ["羽绒服", "T恤"]))) == ["E1004000001", "E1004000003"]
