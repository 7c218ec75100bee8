"""Pure search helpers: hit rendering in the customer's language, scope decision, result shape."""

from __future__ import annotations

from typing import Any, TypedDict

from kb.index import RowHit
from kb.records import Entry, FaqEntry, Lang, PolicyChunk, Product


class Hit(TypedDict):
    """One ranked search hit as returned by the library and the HTTP API."""

    id: str
    kind: str
    score: float
    title: str
    answer: str
    lang: str
    matched: str
    tags: list[str]
    meta: dict[str, Any]


class SearchResult(TypedDict):
    """A search response: detected language, scope decision and ranked hits."""

    query: str
    lang: str
    in_scope: bool
    threshold: float
    scope_score: float
    hits: list[Hit]


def other(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def _faq(entry: FaqEntry, lang: Lang) -> tuple[str, str, Lang]:
    block = entry.text(lang)
    used = lang
    if block is None:
        used = other(lang)
        block = entry.text(used)
    assert block is not None
    return block.question, block.answer, used


_PRODUCT_WORDS = {
    "zh": {"stock": "有货（库存{n}件）", "out": "暂时缺货", "warranty": "保修{n}个月",
           "sep": "；", "kv": "{k}：{v}", "head": "{name}：¥{price:,.2f}，{stock}。"},
    "en": {"stock": "in stock ({n} left)", "out": "out of stock", "warranty": "Warranty: {n} months",
           "sep": "; ", "kv": "{k}: {v}", "head": "{name}: ¥{price:,.2f}, {stock}. "},
}


def render_product(entry: Product, lang: Lang) -> tuple[str, str, Lang]:
    """Short answer built from a product's attributes, in ``lang`` when the product has it."""
    used = lang if entry.text(lang) is not None else other(lang)
    block = entry.text(used)
    assert block is not None
    words = _PRODUCT_WORDS[used]
    stock = words["stock"].format(n=entry.stock) if entry.stock > 0 else words["out"]
    text = words["head"].format(name=block.name, price=entry.price, stock=stock)
    parts = [words["kv"].format(k=k, v=v) for k, v in block.attributes]
    if entry.warranty_months:
        parts.append(words["warranty"].format(n=entry.warranty_months))
    if parts:
        text += words["sep"].join(parts) + ("。" if used == "zh" else ".")
    return block.name, text.strip(), used


def _meta(entry: Entry) -> dict[str, Any]:
    if isinstance(entry, Product):
        return {"sku": entry.sku, "category": entry.category, "price": entry.price,
                "stock": entry.stock, "high_ticket": entry.high_ticket, "special": entry.special,
                "warranty_months": entry.warranty_months}
    if isinstance(entry, PolicyChunk):
        return {"doc": entry.doc, "section": entry.section}
    return {}


def entry_title(entry: Entry, lang: Lang = "zh") -> str:
    """A one-line title: FAQ question, product name or policy section."""
    if isinstance(entry, FaqEntry):
        return _faq(entry, lang)[0]
    if isinstance(entry, Product):
        block = entry.text(lang) or entry.text(other(lang))
        return block.name if block else entry.sku
    return f"{entry.title} · {entry.section}"


def render_hit(entry: Entry, row: RowHit, lang: Lang) -> Hit:
    """Turn an index hit into the API shape, choosing the answer language."""
    if isinstance(entry, FaqEntry):
        title, answer, used = _faq(entry, lang)
    elif isinstance(entry, Product):
        title, answer, used = render_product(entry, lang)
    else:
        title, answer, used = f"{entry.title} · {entry.section}", entry.text, entry.lang
    return Hit(id=entry.id, kind=entry.kind, score=round(row.score, 4), title=title,
               answer=answer, lang=used, matched=row.matched, tags=list(entry.tags), meta=_meta(entry))


def allowed_ids(entries: dict[str, Entry], lang: Lang, kinds: set[str] | None) -> set[str] | None:
    """Entry ids a search may return: kind filter, and policy chunks only in the query's
    language when that document exists in it (FAQs and products carry both languages)."""
    docs_in_lang = {e.doc for e in entries.values() if isinstance(e, PolicyChunk) and e.lang == lang}
    excluded = {e.id for e in entries.values() if isinstance(e, PolicyChunk)
                and e.lang != lang and e.doc in docs_in_lang}
    if kinds is None and not excluded:
        return None
    return {eid for eid, e in entries.items()
            if eid not in excluded and (kinds is None or e.kind in kinds)}
