"""Products for the demo generator, read at run time from demo/kb/products.yaml (built-in fallback when absent)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from shop.db import REPO_ROOT
from shop.models import SPECIAL_GOODS


class CatalogueError(ValueError):
    """products.yaml exists but an entry is unusable (message names file, record and field)."""


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    price: Decimal
    high_ticket: bool
    special: str
    name_zh: str
    name_en: str


def default_products_path() -> Path:
    """$SHOP_PRODUCTS_FILE or <repo>/demo/kb/products.yaml."""
    env = os.environ.get("SHOP_PRODUCTS_FILE")
    return Path(env) if env else REPO_ROOT / "demo" / "kb" / "products.yaml"


FALLBACK: tuple[Product, ...] = (
    Product("SOFA-LUNA-3S", "furniture", Decimal("6999.00"), True, "none", "卢娜三人位真皮沙发", "Luna 3-seat leather sofa"),
    Product("FRIDGE-FROST-520", "appliance", Decimal("5499.00"), True, "none", "霜语520升法式多门冰箱", "Frost 520 L French-door fridge"),
    Product("TV-VISTA-65", "appliance", Decimal("4299.00"), True, "none", "远景65英寸4K智能电视", "Vista 65-inch 4K smart TV"),
    Product("KETTLE-STEEL-17", "small_appliance", Decimal("129.00"), False, "none", "304不锈钢电热水壶 1.7L", "Stainless-steel electric kettle 1.7 L"),
    Product("TSHIRT-COT-BASIC", "apparel", Decimal("79.00"), False, "none", "纯棉基础款圆领T恤", "Basic cotton crew-neck T-shirt"),
    Product("DOWN-JKT-W", "apparel", Decimal("799.00"), False, "none", "女款连帽羽绒服", "Women's hooded down jacket"),
    Product("BRA-SOFT-W", "apparel", Decimal("129.00"), False, "intimate", "无痕无钢圈文胸", "Seamless wire-free bra"),
    Product("SNEAK-RUN-AIR", "shoes", Decimal("499.00"), False, "none", "轻风气垫跑步鞋", "Breeze air-cushion running shoes"),
    Product("SERUM-HYA-30", "beauty", Decimal("199.00"), False, "none", "玻尿酸补水精华液 30ml", "Hyaluronic hydrating serum 30 ml"),
    Product("CHERRY-CL-2KG", "food", Decimal("269.00"), False, "fresh", "智利车厘子 2kg礼盒", "Chilean cherries, 2 kg gift box"),
    Product("MUG-PHOTO-CUS", "custom", Decimal("69.00"), False, "customised", "定制照片马克杯", "Custom photo mug"),
    Product("EARBUD-ANC-PRO", "electronics", Decimal("899.00"), False, "none", "主动降噪真无线耳机", "ANC true wireless earbuds"),
    Product("GIFTCARD-E200", "electronics", Decimal("200.00"), False, "digital", "本店200元电子礼品卡", "Shop e-gift card ¥200"),
    Product("TOWEL-COT-SET", "home", Decimal("99.00"), False, "none", "长绒棉毛巾浴巾套装", "Cotton towel set"),
)


def _field(entry: dict[str, Any], name: str, where: str) -> Any:
    if name not in entry or entry[name] in (None, ""):
        raise CatalogueError(f"{where}: field '{name}' is missing")
    return entry[name]


def parse_product(entry: Any, where: str) -> Product:
    """One catalogue entry (format of /demo/kb/products.yaml) -> Product."""
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping")
    sku = str(_field(entry, "sku", where))
    where = f"{where} (sku {sku})"
    try:
        price = Decimal(str(_field(entry, "price", where))).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CatalogueError(f"{where}: field 'price' is not a number") from None
    special = str(entry.get("special") or "none")
    if special not in SPECIAL_GOODS:
        raise CatalogueError(f"{where}: field 'special' must be one of {', '.join(SPECIAL_GOODS)}")
    zh = entry.get("zh") or {}
    en = entry.get("en") or {}
    name_zh = str(zh.get("name") or en.get("name") or "")
    if not name_zh:
        raise CatalogueError(f"{where}: field 'zh.name' (or 'en.name') is missing")
    return Product(
        sku=sku,
        category=str(_field(entry, "category", where)),
        price=price,
        high_ticket=bool(entry.get("high_ticket", False)),
        special=special,
        name_zh=name_zh,
        name_en=str(en.get("name") or name_zh),
    )


def load_products(path: Path | None = None) -> tuple[Product, ...]:
    """Products from the catalogue file, or the built-in fallback when the file does not exist."""
    path = path or default_products_path()
    if not path.is_file():
        return FALLBACK
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: invalid YAML: {exc}") from None
    if not isinstance(data, list) or not data:
        raise CatalogueError(f"{path.name}: expected a non-empty list of products")
    products = tuple(parse_product(e, f"{path.name} record {n}") for n, e in enumerate(data, start=1))
    return products
