"""Pure dialogue-state decisions: follow-ups, "the other one", answers to the bot's yes/no questions."""

from __future__ import annotations

import pytest

from actions.dialogue_state import confirmation_answer, other_orders, previous_answer, reuse_current_order
from shop import ShopRepository


@pytest.mark.parametrize("intent, text, expected", [
    ("deny", "/deny", "no"), ("affirm", "/affirm", "yes"),
    ("cancel_order", "不取消了", "no"), ("cancel_order", "先不取消了", "no"), ("cancel_order", "算了不取消", "no"),
    ("affirm", "好的 先不取消", "no"), ("affirm", "No, keep it", "no"), ("deny", "不用换了", "no"),
    ("cancel_order", "確認取消", "yes"), ("cancel_order", "取消吧", "yes"), ("affirm", "好的，换快递", "yes"),
    ("cancel_order", "取消订单要多久", "unclear"), ("track_parcel", "快递到哪了", "unclear"),
])
def test_confirmation_answer(intent: str, text: str, expected: str) -> None:
    assert confirmation_answer(intent, text) == expected


def test_reuse_current_order(shop: ShopRepository) -> None:
    shipped = shop.get_order("E1001000003")
    assert reuse_current_order(shipped, "track", False) and reuse_current_order(shipped, "refund", False)
    assert reuse_current_order(shipped, "cancel", False)        # a parcel on its way can still be asked about
    assert not reuse_current_order(shipped, "return", False)    # but not returned before it arrives
    assert not reuse_current_order(shipped, "track", True)      # another order's product was named
    assert not reuse_current_order(None, "track", False)


def test_other_orders() -> None:
    assert other_orders(["E1", "E2"], "E1") == ["E2"]
    assert other_orders(["E1", "E2", "E3", "E2"], "E1") == ["E2", "E3"]
    assert other_orders([], "E1") == []


def test_previous_answer() -> None:
    events = [{"event": "user"}, {"event": "action", "name": "action_track_parcel"}, {"event": "action", "name": "action_listen"},
              {"event": "user"}, {"event": "action", "name": "order_form"}]
    assert previous_answer(events) == "action_track_parcel"
    assert previous_answer([{"event": "user"}]) is None
