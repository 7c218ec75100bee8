"""Pure helpers: masking, business hours, priority, wait estimate, summary, notices."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from handoff import notices
from handoff.config import BusinessHours, load_config
from handoff.hours import is_open, next_opening
from handoff.masking import mask
from handoff.priority import effective, expected_wait_seconds, priority
from handoff.summary import promises, summarise


@pytest.mark.parametrize(("text", "expected"), [
    ("call me at 13800001001", "call me at 138****1001"),
    ("电话13800001001谢谢", "电话138****1001谢谢"),
    ("order E2026110001", "order E2026110001"),  # order ids are not phone numbers
    ("座机 0571-88886666", "座机 0571-****6666"),
    ("送到杭州市西湖区文三路88号3栋501室", "送到杭州市西湖区［地址已隐藏］"),
    ("地址：幸福小区5栋2单元302室，谢谢", "地址：［地址已隐藏］，谢谢"),
    ("北京市朝阳区SOHO现代城3号楼1208室", "北京市朝阳区［地址已隐藏］"),
    ("ship to 221 Baker Street please", "ship to [address hidden] please"),
])
def test_mask(text: str, expected: str) -> None:
    assert mask(text) == expected


HOURS = BusinessHours("Asia/Shanghai", (0, 1, 2, 3, 4), 9 * 60, 18 * 60, 4)


@pytest.mark.parametrize(("utc", "open_"), [
    (datetime(2026, 11, 23, 2, 0, tzinfo=UTC), True),    # Mon 10:00 Shanghai
    (datetime(2026, 11, 23, 10, 30, tzinfo=UTC), False),  # Mon 18:30
    (datetime(2026, 11, 28, 2, 0, tzinfo=UTC), False),   # Sat
])
def test_business_hours(utc: datetime, open_: bool) -> None:
    assert is_open(HOURS, utc) is open_


def test_next_opening_skips_weekend() -> None:
    friday_night = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Fri 20:00 Shanghai
    opening = next_opening(HOURS, friday_night)
    assert (opening.weekday(), opening.hour) == (0, 9)


def test_priority_orders_vip_value_and_emotion() -> None:
    config = load_config()
    calm_regular = priority(config, "none", [50.0], {"anger": 0.1}, ["explicit_human"])
    angry_vip = priority(config, "diamond", [8000.0], {"anger": 0.9}, ["anger"])
    assert angry_vip.score > calm_regular.score
    assert angry_vip.parts["vip"] == 3.0 and angry_vip.parts["value"] == 2.0
    now = datetime(2026, 1, 1, tzinfo=UTC)
    long_wait = effective(config, calm_regular.score, now - timedelta(minutes=30), now)
    assert long_wait > effective(config, angry_vip.score, now, now)  # ageing: no one starves


def test_expected_wait() -> None:
    assert expected_wait_seconds(1, 1, 180) == 90
    assert expected_wait_seconds(3, 2, 180) == 180
    assert math.isinf(expected_wait_seconds(1, 0, 180))


def test_summary_and_promises() -> None:
    summary = summarise(["你好", "订单E2026110001的冰箱坏了，要退货", "快点处理"], max_sentences=2)
    assert "订单E2026110001的冰箱坏了，要退货" in summary[0]
    assert promises(["已为您登记退款，3天内到账。", "请问还有什么可以帮您？"]) == ["已为您登记退款，3天内到账。"]


def test_notices_are_in_the_customers_language() -> None:
    assert "number 2" in notices.queued("en", 2, 200) and "4 minute" in notices.queued("en", 2, 200)
    assert "排队第 2 位" in notices.queued("zh", 2, 200)
    reply_by = datetime(2026, 1, 5, 10, 0)
    assert "2026-01-05 10:00" in notices.ticket("en", reply_by, closed=True)
