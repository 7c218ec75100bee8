"""Read knowledge-base source files (YAML, JSON, CSV, Markdown) into typed records."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import yaml

from kb import validate
from kb.records import Entry, FaqEntry, FaqText, Lang, PolicyChunk
from kb.validate import LoadError, LoadWarning, Location

SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".md")
_FlatKey = tuple[str, Lang]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, directories expanded to their supported files (sorted, recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES
                              and p.is_file() and not p.name.lower().startswith("readme")))
        else:
            out.append(path)
    return out


def _yaml_items(text: str, name: str) -> tuple[list[Any], list[tuple[int, dict[str, int]]]]:
    """Parse a YAML list and remember each item's line and its fields' lines (dotted paths)."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(f"invalid YAML: {getattr(exc, 'problem', exc)}", name,
                        line=mark.line + 1 if mark else None) from None
    if data is None:
        return [], []
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise LoadError("expected a list of records at the top level", name, line=1)
    lines: list[tuple[int, dict[str, int]]] = []
    for node in root.value:
        fields: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                fields[str(key.value)] = key.start_mark.line + 1
                if isinstance(value, yaml.MappingNode):
                    for sub_key, _ in value.value:
                        fields[f"{key.value}.{sub_key.value}"] = sub_key.start_mark.line + 1
        lines.append((node.start_mark.line + 1, fields))
    return data, lines


def _json_items(text: str, name: str) -> tuple[list[Any], list[tuple[int, dict[str, int]]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", name, line=exc.lineno) from None
    if not isinstance(data, list):
        raise LoadError("expected a JSON list of objects at the top level", name, line=1)
    return data, [(0, {}) for _ in data]


def _csv_items(text: str, name: str) -> tuple[list[Any], list[tuple[int, dict[str, int]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        return [], []
    missing = {"id", "question", "answer"} - {f.strip() for f in reader.fieldnames}
    if missing:
        raise LoadError(f"CSV header lacks column(s) {', '.join(sorted(missing))}", name,
                        line=1, field=sorted(missing)[0])
    items: list[Any] = []
    lines: list[tuple[int, dict[str, int]]] = []
    for row in reader:
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        items.append({k: v for k, v in clean.items() if v != ""})
        lines.append((reader.line_num, {}))
    return items, lines


def _is_product(item: object) -> bool:
    return isinstance(item, dict) and "sku" in item


def _is_structured_faq(item: object) -> bool:
    return isinstance(item, dict) and ("zh" in item or "en" in item) and "question" not in item


class _Collector:
    """Accumulates entries from several files, merging flat FAQ objects by id."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.origin: dict[str, str] = {}
        self.flat: dict[str, dict[Lang, FaqText]] = {}
        self.flat_tags: dict[str, tuple[str, ...]] = {}
        self.flat_origin: dict[_FlatKey, str] = {}
        self.warnings: list[LoadWarning] = []

    def add(self, entry: Entry, loc: Location, fld: str = "id") -> None:
        where = f"{loc.file} record {loc.record}"
        if entry.id in self.entries or entry.id in self.flat:
            first = self.origin.get(entry.id, "another record")
            raise loc.error(fld, f"duplicate id {entry.id!r} (first seen in {first})")
        self.entries[entry.id] = entry
        self.origin[entry.id] = where

    def add_flat(self, fid: str, lang: Lang, text: FaqText, tags: tuple[str, ...], loc: Location) -> None:
        where = f"{loc.file} record {loc.record}"
        if fid in self.entries:
            raise loc.error("id", f"duplicate id {fid!r} (first seen in {self.origin[fid]})")
        if (fid, lang) in self.flat_origin:
            raise loc.error("id", f"duplicate id {fid!r} for lang {lang!r} "
                                  f"(first seen in {self.flat_origin[(fid, lang)]})")
        self.flat.setdefault(fid, {})[lang] = text
        self.flat_tags[fid] = tuple(dict.fromkeys(self.flat_tags.get(fid, ()) + tags))
        self.flat_origin[(fid, lang)] = where

    def result(self) -> dict[str, Entry]:
        out = dict(self.entries)
        for fid, blocks in self.flat.items():
            out[fid] = FaqEntry(fid, blocks.get("zh"), blocks.get("en"), self.flat_tags[fid])
        return out


def _load_records(path: Path, name: str, text: str, collector: _Collector) -> None:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        items, lines = _yaml_items(text, name)
    elif suffix == ".json":
        items, lines = _json_items(text, name)
    else:
        items, lines = _csv_items(text, name)
    for index, (item, (line, fields)) in enumerate(zip(items, lines, strict=False), start=1):
        loc = Location(name, index, line or None, fields, collector.warnings)
        if _is_product(item):
            collector.add(validate.product(item, loc), loc, "sku")
        elif _is_structured_faq(item):
            collector.add(validate.faq_structured(item, loc), loc)
        else:
            collector.add_flat(*validate.faq_flat(item, loc), loc)


_POLICY_NAME = re.compile(r"^(?P<doc>[A-Za-z0-9_\-]+)\.(?P<lang>zh|en)\.md$")


def parse_policy(text: str, name: str, doc: str, lang: Lang) -> list[PolicyChunk]:
    """Split ``# Title`` / ``## Section`` Markdown into one chunk per section."""
    lines = text.lstrip("\ufeff").splitlines()
    title, title_line = "", 0
    sections: list[tuple[str, int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("# ") and not title and not sections:
            title, title_line = line[2:].strip(), number
        elif line.startswith("## "):
            sections.append((line[3:].strip(), number, []))
        elif sections:
            sections[-1][2].append(line)
        elif line.strip() and not title:
            raise LoadError("a policy document must start with a '# Title' line", name,
                            line=number, field="title")
    if not title:
        raise LoadError("missing '# Title' line", name, line=1, field="title")
    if not sections:
        raise LoadError("no '## Section' blocks found", name, line=title_line, field="section")
    chunks = []
    for n, (heading, number, body) in enumerate(sections, start=1):
        content = "\n".join(body).strip()
        if not heading:
            raise LoadError("empty section heading", name, line=number, field="section")
        if not content:
            raise LoadError(f"section {heading!r} has no text", name, line=number, field="section")
        chunks.append(PolicyChunk(f"policy.{doc}.{lang}.{n}", doc, lang, title, heading, content))
    return chunks


def _load_policy(path: Path, name: str, text: str, collector: _Collector) -> None:
    match = _POLICY_NAME.match(path.name)
    if not match:
        raise LoadError("policy file name must be <name>.<zh|en>.md", name, field="filename")
    for n, chunk in enumerate(parse_policy(text, name, match["doc"], "zh" if match["lang"] == "zh" else "en"), start=1):
        collector.add(chunk, Location(name, n))


def load_files(paths: list[Path]) -> dict[str, Entry]:
    """Validate every file and return all entries by id; the first problem raises LoadError."""
    return load_files_with_warnings(paths)[0]


def load_files_with_warnings(paths: list[Path]) -> tuple[dict[str, Entry], list[LoadWarning]]:
    """Like ``load_files``, plus the warnings (unknown fields ignored, category columns used as tags)."""
    collector = _Collector()
    files = expand_paths(paths)
    if not files:
        raise LoadError("no knowledge-base files found", ", ".join(str(p) for p in paths))
    for path in files:
        name = str(path)
        if path.suffix.lower() not in SUFFIXES:
            raise LoadError(f"unsupported file type {path.suffix!r} (use {', '.join(SUFFIXES)})", name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise LoadError("file not found", name) from None
        except UnicodeDecodeError as exc:
            raise LoadError(f"not UTF-8 text ({exc.reason})", name) from None
        if path.suffix.lower() == ".md":
            _load_policy(path, name, text, collector)
        else:
            _load_records(path, name, text, collector)
    return collector.result(), collector.warnings
