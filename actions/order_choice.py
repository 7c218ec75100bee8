"""Pure choice of the order a message is about: the product the customer names, then the topic."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from actions.policies import candidate_orders
from shop.records import OrderRecord

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Two-character words that appear in shop messages and must not count as naming a product.
_GENERIC_ZH = frozenset({"订单", "商品", "东西", "快递", "物流", "退货", "换货", "退款", "发票", "包裹", "宝贝", "礼盒"})
_MIN_ZH = 2


def _stem(word: str) -> str:
    """'Shoes' → 'shoe', 'cherries' → 'cherry': enough to match plural and singular mentions."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _head_nouns(name_en: str) -> set[str]:
    """The head noun of an English item name: its last plain word of 3+ letters ('…running shoes' → 'shoe')."""
    words = [w for w in name_en.replace("-", " ").split() if w.isalpha() and len(w) >= 3]
    return {_stem(words[-1])} if words else set()


def _shares_cjk_word(text: str, name: str) -> bool:
    """Whether text and name share a run of 2+ Chinese characters that is not a generic shop word."""
    runs = _CJK_RUN.findall(name)
    for run in runs:
        for size in range(len(run), _MIN_ZH - 1, -1):
            for start in range(len(run) - size + 1):
                part = run[start:start + size]
                if part not in _GENERIC_ZH and part in text:
                    return True
    return False


def names_product(order: OrderRecord, text: str, products: Iterable[str]) -> bool:
    """Whether the customer's words name an item of the order.

    A `product` entity matches when it occurs in an item name (or the reverse, stemmed for English);
    the free text matches on a shared Chinese word or the English head noun of an item name.
    """
    wanted = [p.strip().lower() for p in products if p and p.strip()]
    words = {_stem(w) for w in _EN_WORD.findall(text or "")}
    for item in order.items:
        names = [n for n in (item.name, item.name_en) if n]
        for product in wanted:
            stem = " ".join(_stem(w) for w in product.split())
            for name in names:
                lowered = name.lower()
                stemmed = " ".join(_stem(w) for w in lowered.replace("-", " ").split())
                if product in lowered or stem in stemmed or (len(lowered) >= 2 and lowered in product):
                    return True
        if _shares_cjk_word(text or "", item.name) or (item.name_en and _head_nouns(item.name_en) & words):
            return True
    return False


def orders_to_offer(orders: Sequence[OrderRecord], topic: str | None, text: str,
                    products: Iterable[str] = ()) -> list[OrderRecord]:
    """Orders to choose from (one: pre-select it). Named products win over the topic's usual statuses."""
    wanted = list(products)
    named = [o for o in orders if names_product(o, text, wanted)]
    if not named:
        return candidate_orders(orders, topic)
    if len(named) == 1:
        return named
    fitting = [o for o in candidate_orders(named, topic) if o in named]
    return fitting or named
