"""Validate raw records read from files into typed records, with errors naming file, record, line, field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.lang import detect_lang
from kb.records import FaqEntry, FaqText, Lang, Product, ProductText

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
SPECIAL_GOODS = ("none", "fresh", "customised", "intimate", "digital")


class LoadError(ValueError):
    """An input file is invalid; names the file, the record (1-based) or line, and the field."""

    def __init__(self, message: str, file: str, record: int | None = None,
                 line: int | None = None, field: str | None = None) -> None:
        self.message, self.file, self.record, self.line, self.field = message, file, record, line, field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) + f": {self.message}"

    def to_dict(self) -> dict[str, object]:
        """JSON form for the CLI's --json output and the HTTP API."""
        return {"file": self.file, "record": self.record, "line": self.line,
                "field": self.field, "message": self.message}


# Columns a shop's back-office export uses for an entry's category: imported as tags.
TAG_FIELDS = ("topic", "category", "categories", "分类", "类别", "类目", "主题", "标签")


@dataclass(frozen=True)
class LoadWarning:
    """Something an import accepted but did not use as given (an unknown field, a mapped column)."""

    file: str
    record: int | None
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        rec = f", record {self.record}" if self.record is not None else ""
        return f"{where}{rec}, field '{self.field}': {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "record": self.record, "line": self.line, "field": self.field,
                "message": self.message}


@dataclass(frozen=True)
class Location:
    """Where a raw record came from; ``field_lines`` maps dotted field paths to source lines;
    ``warnings`` collects what the import accepted with a warning."""

    file: str
    record: int | None = None
    line: int | None = None
    field_lines: dict[str, int] = field(default_factory=dict)
    warnings: list[LoadWarning] = field(default_factory=list)

    def warn(self, fld: str, message: str) -> None:
        self.warnings.append(LoadWarning(self.file, self.record,
                                         self.field_lines.get(fld, self.line), fld, message))

    def error(self, fld: str | None, message: str) -> LoadError:
        """An error at ``fld``; the line is the field's own, else its nearest parent's, else the record's."""
        line = self.line
        path = fld or ""
        while path:
            if path in self.field_lines:
                line = self.field_lines[path]
                break
            path = re.sub(r"(\[\d+\]|\.[^.\[]*)$", "", path) if re.search(r"[.\[]", path) else ""
        return LoadError(message, self.file, self.record, line, fld)


def _text(raw: dict[str, Any], key: str, loc: Location, prefix: str = "",
          required: bool = True) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise loc.error(prefix + key, "is required and must be a non-empty string")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise loc.error(prefix + key, f"must be a string, not {type(value).__name__}")
    return value.strip()


def _str_list(raw: dict[str, Any], key: str, loc: Location, prefix: str = "") -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [p for p in value.split("|")]
    if not isinstance(value, list):
        raise loc.error(prefix + key, "must be a list of strings")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise loc.error(f"{prefix}{key}[{i}]", "must be a non-empty string")
        out.append(item.strip())
    return tuple(out)


def entry_id(raw: dict[str, Any], loc: Location, key: str = "id") -> str:
    """A non-empty identifier without spaces."""
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise loc.error(key, "is required and must be a non-empty string")
    value = value.strip()
    if not ID_PATTERN.match(value):
        raise loc.error(key, f"{value!r} may hold only letters, digits and . _ - :")
    return value


def _ignore_unknown(data: dict[str, Any], known: set[str], loc: Location, prefix: str = "") -> None:
    """Warn about (and skip) fields the format does not define: exports carry extra columns."""
    for key in sorted(set(map(str, data)) - known):
        loc.warn(prefix + key, "unknown field, ignored")


_TAG_SPLIT = re.compile(r"[|,，、;；/]")


def _mapped_tags(data: dict[str, Any], loc: Location) -> tuple[str, ...]:
    """Tags from a category-like column (topic, category, 分类…), with a warning saying so."""
    out: list[str] = []
    for key in TAG_FIELDS:
        value = data.get(key)
        if value is None or value == "":
            continue
        items = value if isinstance(value, list) else _TAG_SPLIT.split(str(value))
        found = [str(v).strip() for v in items if str(v).strip()]
        if found:
            out.extend(found)
            loc.warn(key, f"imported as tag(s) {', '.join(found)}")
    return tuple(out)


def _merge_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for g in groups for t in g))


def _mapping(raw: object, loc: Location) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise loc.error(None, f"each record must be a mapping/object, not {type(raw).__name__}")
    return raw


def faq_text(raw: object, loc: Location, prefix: str) -> FaqText:
    """One language block {question, answer, paraphrases?}."""
    if not isinstance(raw, dict):
        raise loc.error(prefix.rstrip("."), "must be a mapping with question and answer")
    _ignore_unknown(raw, {"question", "answer", "paraphrases"}, loc, prefix)
    return FaqText(_text(raw, "question", loc, prefix), _text(raw, "answer", loc, prefix),
                   _str_list(raw, "paraphrases", loc, prefix))


def faq_structured(raw: object, loc: Location) -> FaqEntry:
    """A FAQ with ``zh`` and/or ``en`` blocks (the demo YAML format)."""
    data = _mapping(raw, loc)
    fid = entry_id(data, loc)
    extra_tags = _mapped_tags(data, loc)
    _ignore_unknown(data, {"id", "tags", "zh", "en", *TAG_FIELDS}, loc)
    blocks = {lang: faq_text(data[lang], loc, f"{lang}.") for lang in ("zh", "en")
              if data.get(lang) is not None}
    if not blocks:
        raise loc.error("zh", "at least one of the zh / en blocks is required")
    return FaqEntry(fid, blocks.get("zh"), blocks.get("en"), _merge_tags(_str_list(data, "tags", loc), extra_tags))


def faq_flat(raw: object, loc: Location) -> tuple[str, Lang, FaqText, tuple[str, ...]]:
    """A one-language FAQ object {id, question, answer, paraphrases?, lang?, tags?}."""
    data = _mapping(raw, loc)
    fid = entry_id(data, loc)
    extra_tags = _mapped_tags(data, loc)
    _ignore_unknown(data, {"id", "question", "answer", "paraphrases", "lang", "tags", *TAG_FIELDS}, loc)
    text = FaqText(_text(data, "question", loc), _text(data, "answer", loc),
                   _str_list(data, "paraphrases", loc))
    lang_raw = data.get("lang")
    if lang_raw in (None, ""):
        lang: Lang = detect_lang(text.question)
    elif lang_raw in ("zh", "en"):
        lang = lang_raw
    else:
        raise loc.error("lang", f"must be 'zh' or 'en', not {lang_raw!r}")
    return fid, lang, text, _merge_tags(_str_list(data, "tags", loc), extra_tags)


def _number(data: dict[str, Any], key: str, loc: Location, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if value is None or value == "":
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise loc.error(key, f"must be a {kind.__name__}")
    try:
        number = kind(float(value)) if kind is float else int(str(value))
    except ValueError:
        raise loc.error(key, f"must be a {kind.__name__}, not {value!r}") from None
    if number < 0:
        raise loc.error(key, "must not be negative")
    return number


def _bool(data: dict[str, Any], key: str, loc: Location) -> bool:
    value = data.get(key, False)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0", ""):
        return value.lower() in ("true", "yes", "1")
    if not isinstance(value, bool):
        raise loc.error(key, "must be true or false")
    return value


def product_text(raw: object, loc: Location, prefix: str) -> ProductText:
    """A product language block {name, description?, attributes?}."""
    if not isinstance(raw, dict):
        raise loc.error(prefix.rstrip("."), "must be a mapping with at least a name")
    attrs_raw = raw.get("attributes") or {}
    if not isinstance(attrs_raw, dict):
        raise loc.error(prefix + "attributes", "must be a mapping of attribute name to value")
    attrs = []
    for key, value in attrs_raw.items():
        if value is None or isinstance(value, (dict, list)):
            raise loc.error(f"{prefix}attributes.{key}", "must be a plain value")
        attrs.append((str(key), str(value)))
    return ProductText(_text(raw, "name", loc, prefix),
                       _text(raw, "description", loc, prefix, required=False), tuple(attrs))


def product(raw: object, loc: Location) -> Product:
    """A catalogue product (demo products.yaml format)."""
    data = _mapping(raw, loc)
    sku = entry_id(data, loc, "sku")
    special = data.get("special", "none") or "none"
    if special not in SPECIAL_GOODS:
        raise loc.error("special", f"must be one of {', '.join(SPECIAL_GOODS)}, not {special!r}")
    blocks = {lang: product_text(data[lang], loc, f"{lang}.") for lang in ("zh", "en")
              if data.get(lang) is not None}
    if not blocks:
        raise loc.error("zh", "at least one of the zh / en blocks is required")
    return Product(
        sku, _text(data, "category", loc), _number(data, "price", loc, float, None),
        _number(data, "stock", loc, int, 0), _bool(data, "high_ticket", loc), str(special),
        _number(data, "warranty_months", loc, int, 0), blocks.get("zh"), blocks.get("en"))
