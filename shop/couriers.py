"""Courier codes with Chinese/English names, and the wording of delay causes (pure data and look-ups)."""

from __future__ import annotations

COURIERS: dict[str, tuple[str, str]] = {
    "SF": ("顺丰速运", "SF Express"),
    "ZTO": ("中通快递", "ZTO Express"),
    "YTO": ("圆通速递", "YTO Express"),
    "YUNDA": ("韵达快递", "Yunda Express"),
    "JD": ("京东物流", "JD Logistics"),
    "EMS": ("中国邮政EMS", "China Post EMS"),
    "RRS": ("日日顺物流", "RRS bulky-goods delivery"),
}

DELAY_CAUSE_TEXT: dict[str, tuple[str, str]] = {
    "none": ("", ""),
    "weather": ("恶劣天气（暴雨/暴雪）", "severe weather (rainstorm / snowstorm)"),
    "epidemic": ("疫情防控临时封闭", "temporary epidemic-control closure"),
    "large_event": ("大型活动期间交通管制", "traffic controls during a large public event"),
    "peak_season": ("双11大促包裹量激增", "Double 11 peak parcel volume"),
    "courier_unreachable": ("合作快递不能派送到该地址", "our contracted courier does not deliver to this address"),
    "warehouse_backlog": ("仓库订单积压", "warehouse backlog"),
}


def courier_name(code: str, lang: str = "zh") -> str:
    """Display name of a courier code in zh or en (the code itself when unknown)."""
    names = COURIERS.get(code)
    if names is None:
        return code
    return names[1] if lang == "en" else names[0]


def resolve_courier(text: str) -> str | None:
    """Courier code for a code or a Chinese/English name (case-insensitive), else None."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for code, (zh, en) in COURIERS.items():
        if wanted in (code.casefold(), zh.casefold(), en.casefold()):
            return code
    for code, (zh, en) in COURIERS.items():  # loose: "顺丰", "sf express", "ems"
        if wanted in zh.casefold() or wanted in en.casefold():
            return code
    return None


def delay_cause_text(cause: str, lang: str = "zh") -> str:
    zh, en = DELAY_CAUSE_TEXT.get(cause, ("", ""))
    return en if lang == "en" else zh
