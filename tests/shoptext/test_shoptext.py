"""shoptext: one normaliser, language detector and order-id pattern for every package."""

from __future__ import annotations

import pytest

from shoptext import clean_chat, detect_language, find_order_ids, language_or, normalise, strip_placeholders


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("什么时候到 咨询订单号:[订单x] 订单金额:[金额x] 下单时间:[日期x]", "什么时候到 订单号"),
        ("[链接x] 这两个有什么区别", "链接 这两个有什么区别"),
        ("退貨運費誰出？？？？？", "退货运费谁出??"),
        ("到底发不发货😡😡!!!!!", "到底发不发货 !!"),
        ("好好好好好好", "好好好"),
        ("Where is my order [订单x]?", "Where is my order order number ?"),
        ("看一下 https://shop.example.com/item/123.html 这个", "看一下 链接 这个"),
        ("[姓名x]你好", "你好"),
        ("E1234567890", "E1234567890"),
        ("E1000000001 到哪了", "E1000000001 到哪了"),  # digit runs are never shortened
        ("顾客通过点击web咚咚[站点x]信息发送:[订单编号:[订单x]，订单金额:[金额x]] 什么时候到", "什么时候到 订单号"),
    ],
)
def test_clean_chat(raw: str, expected: str) -> None:
    assert clean_chat(raw) == expected


def test_clean_chat_is_idempotent_and_never_empties_text() -> None:
    for raw in ["咨询订单号:[订单x]", "😡😡", "[数字x]", "ok!!!!!", "配送咨询 您好"]:
        once = clean_chat(raw)
        assert once, raw
        assert clean_chat(once) == once, raw


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我的订单到哪了", "zh"),
        ("我的order呢", "zh"),
        ("where is my parcel 谢谢", "en"),
        ("E1234567890", None),
        ("[订单x] [数字x]", None),
        ("/affirm", None),
        ("Where is my order [订单x]?", "en"),
        ("  ", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_language_or_defaults() -> None:
    assert language_or("12345") == "zh"
    assert language_or("12345", "en") == "en"


def test_order_ids() -> None:
    text = "e1234567890 和 E1234567890，还有 E12345678901 与 XE1234567890"
    assert find_order_ids(text) == ["E1234567890"]


def test_normalise_folds_width_script_case_and_cjk_spacing() -> None:
    assert normalise("ＨＥＬＬＯ　轉 人工") == "hello 转人工"
    assert normalise("I’m") == "i'm"


def test_strip_placeholders() -> None:
    assert strip_placeholders("订单号:[订单x] 到哪了 [链接x]") == "到哪了"
