"""Typed knowledge-base records (FAQ entries, products, policy chunks) and their index rows."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
EntryKind = Literal["faq", "product", "policy"]
KINDS: tuple[EntryKind, ...] = ("faq", "product", "policy")
# What an index row holds: a FAQ question / paraphrase, a piece of a FAQ answer, product or policy text.
RowSource = Literal["question", "paraphrase", "answer", "product", "policy"]
ANSWER_ROW_MODES = ("none", "sentences", "whole")


@dataclass(frozen=True)
class IndexRow:
    """One text embedded into the index; many rows map to one entry."""

    entry_id: str
    text: str
    lang: Lang
    source: RowSource = "question"


@dataclass(frozen=True)
class FaqText:
    """A FAQ's question, answer and paraphrases in one language."""

    question: str
    answer: str
    paraphrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqEntry:
    """A bilingual FAQ entry; at least one language block is present."""

    id: str
    zh: FaqText | None = None
    en: FaqText | None = None
    tags: tuple[str, ...] = ()
    kind: EntryKind = field(default="faq", init=False)

    def text(self, lang: Lang) -> FaqText | None:
        """The block in ``lang`` or None."""
        return self.zh if lang == "zh" else self.en

    def rows(self) -> list[IndexRow]:
        """Question and every paraphrase in each language."""
        out: list[IndexRow] = []
        for lang in LANGS:
            block = self.text(lang)
            if block is not None:
                out.append(IndexRow(self.id, block.question, lang, "question"))
                out.extend(IndexRow(self.id, text, lang, "paraphrase") for text in block.paraphrases)
        return out


@dataclass(frozen=True)
class ProductText:
    """A product's name, description and attributes in one language."""

    name: str
    description: str = ""
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Product:
    """A catalogue product; its KB id is ``product.<sku>``."""

    sku: str
    category: str
    price: float
    stock: int = 0
    high_ticket: bool = False
    special: str = "none"
    warranty_months: int = 0
    zh: ProductText | None = None
    en: ProductText | None = None
    kind: EntryKind = field(default="product", init=False)

    @property
    def id(self) -> str:
        return f"product.{self.sku}"

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.category,)

    def text(self, lang: Lang) -> ProductText | None:
        """The block in ``lang`` or None."""
        return self.zh if lang == "zh" else self.en

    def rows(self) -> list[IndexRow]:
        """Name, name+description, and name+each attribute, per language."""
        out: list[IndexRow] = []
        for lang in LANGS:
            block = self.text(lang)
            if block is None:
                continue
            out.append(IndexRow(self.id, block.name, lang, "product"))
            if block.description:
                out.append(IndexRow(self.id, f"{block.name} {block.description}", lang, "product"))
            for key, value in block.attributes:
                out.append(IndexRow(self.id, f"{block.name} {key}: {value}", lang, "product"))
        return out


@dataclass(frozen=True)
class PolicyChunk:
    """One ``## Section`` of a policy document in one language."""

    id: str
    doc: str
    lang: Lang
    title: str
    section: str
    text: str
    kind: EntryKind = field(default="policy", init=False)

    @property
    def tags(self) -> tuple[str, ...]:
        return ("policy", self.doc)

    def rows(self) -> list[IndexRow]:
        """The section heading and the heading with the start of its text."""
        body = " ".join(self.text.split())[:300]
        return [IndexRow(self.id, f"{self.title} {self.section}", self.lang, "policy"),
                IndexRow(self.id, f"{self.section} {body}", self.lang, "policy")]


Entry = FaqEntry | Product | PolicyChunk

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+|(?<=[.])\s+")
MIN_CHUNK = 12  # characters: shorter answer pieces ("亲，" / "Yes.") join the next one
MAX_CHUNK = 160


def _join(left: str, right: str) -> str:
    """Two pieces of one answer: no space after Chinese punctuation, a space after English."""
    return f"{left}{right}" if not left[-1:].isascii() else f"{left} {right}"


def answer_chunks(answer: str) -> list[str]:
    """An answer split into sentence-sized pieces (short ones merged, long ones cut)."""
    pieces = [p.strip() for p in _SENTENCE_END.split(answer) if p and p.strip()]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        text = _join(carry, piece) if carry else piece
        if len(text) < MIN_CHUNK:
            carry = text
            continue
        out.extend(text[i:i + MAX_CHUNK] for i in range(0, len(text), MAX_CHUNK))
        carry = ""
    if carry:
        if out:
            out[-1] = _join(out[-1], carry)
        else:
            out.append(carry)
    return out


def index_rows(entry: Entry, answers: str = "none") -> list[IndexRow]:
    """The rows an entry is indexed with; ``answers`` adds its FAQ answer text ("sentences": one row
    per answer sentence, "whole": one row with the whole answer) so a question that only the answer
    text addresses still finds the entry."""
    rows = entry.rows()
    if answers == "none" or not isinstance(entry, FaqEntry):
        return rows
    for lang in LANGS:
        block = entry.text(lang)
        if block is None:
            continue
        chunks = answer_chunks(block.answer) if answers == "sentences" else [block.answer[:2 * MAX_CHUNK]]
        rows.extend(IndexRow(entry.id, chunk, lang, "answer") for chunk in chunks)
    return rows


def entry_to_dict(entry: Entry) -> dict[str, object]:
    """Plain JSON-able dict (with a "kind" key) for storage."""
    data = asdict(entry)
    data["kind"] = entry.kind
    return data


def _faq_text(raw: object) -> FaqText | None:
    if raw is None:
        return None
    assert isinstance(raw, dict)
    return FaqText(raw["question"], raw["answer"], tuple(raw.get("paraphrases", ())))


def _product_text(raw: object) -> ProductText | None:
    if raw is None:
        return None
    assert isinstance(raw, dict)
    attrs = tuple((str(k), str(v)) for k, v in raw.get("attributes", ()))
    return ProductText(raw["name"], raw.get("description", ""), attrs)


def entry_from_dict(data: dict[str, object]) -> Entry:
    """Inverse of entry_to_dict (trusted storage, not user input)."""
    kind = data["kind"]
    if kind == "faq":
        return FaqEntry(str(data["id"]), _faq_text(data.get("zh")), _faq_text(data.get("en")),
                        tuple(data.get("tags", ())))  # type: ignore[arg-type]
    if kind == "product":
        return Product(
            str(data["sku"]), str(data["category"]), float(data["price"]),  # type: ignore[arg-type]
            int(data.get("stock", 0)), bool(data.get("high_ticket", False)),  # type: ignore[call-overload]
            str(data.get("special", "none")), int(data.get("warranty_months", 0)),  # type: ignore[call-overload]
            _product_text(data.get("zh")), _product_text(data.get("en")))
    if kind == "policy":
        return PolicyChunk(str(data["id"]), str(data["doc"]), data["lang"],  # type: ignore[arg-type]
                           str(data["title"]), str(data["section"]), str(data["text"]))
    raise ValueError(f"unknown entry kind {kind!r}")


def entry_hash(entry: Entry) -> str:
    """Stable content hash of one entry (decides whether it must be re-encoded)."""
    blob = json.dumps(entry_to_dict(entry), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def content_hash(entries: dict[str, Entry]) -> str:
    """Hash of a whole record set, independent of insertion order."""
    digest = hashlib.sha256()
    for entry_id in sorted(entries):
        digest.update(f"{entry_id}={entry_hash(entries[entry_id])};".encode())
    return digest.hexdigest()[:16]
