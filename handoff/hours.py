"""Business hours: is the shop staffed now, and when does it next open (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handoff.config import BusinessHours


def is_open(hours: BusinessHours, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(hours.timezone))
    minute = local.hour * 60 + local.minute
    return local.weekday() in hours.days and hours.open_minute <= minute < hours.close_minute


def next_opening(hours: BusinessHours, now: datetime) -> datetime:
    """The next moment the shop opens (now itself when open); searched day by day, at most a week."""
    local = now.astimezone(ZoneInfo(hours.timezone))
    if is_open(hours, now):
        return local
    for days_ahead in range(0, 8):
        day = (local + timedelta(days=days_ahead)).replace(hour=0, minute=0, second=0, microsecond=0)
        opening = day + timedelta(minutes=hours.open_minute)
        if day.weekday() in hours.days and opening > local:
            return opening
    raise ValueError("business_hours has no opening day")
