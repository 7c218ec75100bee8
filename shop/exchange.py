"""Read and validate JSON/CSV export files into typed table rows; every problem names file, line/record and field."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shop.schema import LOAD_ORDER, TABLES, TableSpec, is_missing, parse_value

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Issue:
    """One validation problem."""

    file: str
    where: str  # "line 3" (CSV) or "record 2 (id E2000000001)" (JSON)
    field: str | None
    message: str

    def __str__(self) -> str:
        field = f" field '{self.field}':" if self.field else ""
        return f"{self.file}: {self.where}:{field} {self.message}"


class ImportValidationError(Exception):
    """Raised when any input file is invalid; nothing has been written."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass(frozen=True)
class RawRecord:
    table: str
    file: str
    where: str
    data: dict[str, Any]


def _table_from_name(path: Path) -> str | None:
    stem = path.stem.lower()
    for table in TABLES:
        if stem == table or stem.endswith(("_" + table, "-" + table, "." + table)):
            return table
    return None


def read_records(path: Path, issues: list[Issue]) -> list[RawRecord]:
    """Raw records of one file (CSV: table from the file name; JSON: {table: [...]} or a list)."""
    name = path.name
    if not path.is_file():
        issues.append(Issue(name, "file", None, "file not found"))
        return []
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, issues)
    if suffix == ".json":
        return _read_json(path, issues)
    issues.append(Issue(name, "file", None, "unsupported file type (use .json or .csv)"))
    return []


def _read_csv(path: Path, issues: list[Issue]) -> list[RawRecord]:
    table = _table_from_name(path)
    if table is None:
        issues.append(Issue(path.name, "file", None, f"cannot tell the table from the file name; name it <table>.csv, table one of {', '.join(TABLES)}"))
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            records = []
            for row in reader:
                extra = row.pop(None, None)  # type: ignore[call-overload]
                where = f"line {reader.line_num}"
                if extra:
                    issues.append(Issue(path.name, where, None, f"{len(extra)} more value(s) than header columns"))
                records.append(RawRecord(table, path.name, where, {k: v for k, v in row.items() if not is_missing(v)}))
    except UnicodeDecodeError:
        issues.append(Issue(path.name, "file", None, "not UTF-8 text"))
        return []
    except csv.Error as exc:
        issues.append(Issue(path.name, "file", None, f"CSV error: {exc}"))
        return []
    if not header:
        issues.append(Issue(path.name, "line 1", None, "missing header row"))
    return records


def _read_json(path: Path, issues: list[Issue]) -> list[RawRecord]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        issues.append(Issue(path.name, "file", None, "not UTF-8 text"))
        return []
    except json.JSONDecodeError as exc:
        issues.append(Issue(path.name, f"line {exc.lineno}", None, f"invalid JSON: {exc.msg}"))
        return []
    if isinstance(data, list):
        table = _table_from_name(path)
        if table is None:
            issues.append(Issue(path.name, "file", None, f"a JSON list needs the table in the file name (<table>.json), table one of {', '.join(TABLES)}"))
            return []
        groups: dict[str, Any] = {table: data}
    elif isinstance(data, dict):
        groups = data
    else:
        issues.append(Issue(path.name, "file", None, "expected a JSON object {table: [records]} or a list of records"))
        return []
    records: list[RawRecord] = []
    for table, items in groups.items():
        if table not in TABLES:
            issues.append(Issue(path.name, f"key '{table}'", None, f"unknown table; expected one of {', '.join(TABLES)}"))
            continue
        if not isinstance(items, list):
            issues.append(Issue(path.name, f"key '{table}'", None, "expected a list of records"))
            continue
        for n, item in enumerate(items, start=1):
            ident = f" (id {item.get('id')})" if isinstance(item, dict) and item.get("id") else ""
            where = f"{table} record {n}{ident}"
            if not isinstance(item, dict):
                issues.append(Issue(path.name, where, None, "expected an object"))
                continue
            records.append(RawRecord(table, path.name, where, {k: v for k, v in item.items() if not is_missing(v)}))
    return records


def parse_record(spec: TableSpec, rec: RawRecord, issues: list[Issue]) -> dict[str, Any] | None:
    """Typed row of one raw record, or None (issues appended)."""
    fields = spec.field_map()
    ok = True
    for key in rec.data:
        if key not in fields:
            issues.append(Issue(rec.file, rec.where, key, f"unknown field; known: {', '.join(fields)}"))
            ok = False
    row: dict[str, Any] = {}
    for f in spec.fields:
        if f.name not in rec.data:
            if f.required:
                issues.append(Issue(rec.file, rec.where, f.name, "required field is missing"))
                ok = False
            else:
                row[f.name] = list(f.default) if isinstance(f.default, list) else f.default
            continue
        try:
            row[f.name] = parse_value(f, rec.data[f.name])
        except ValueError as exc:
            issues.append(Issue(rec.file, rec.where, f.name, str(exc)))
            ok = False
    return row if ok else None


def validate(records: Iterable[RawRecord], existing_ids: Callable[[str], set[str]], issues: list[Issue]) -> Rows:
    """Typed rows per table; checks types, duplicates inside the import, and references (import + database)."""
    rows: Rows = {t: [] for t in LOAD_ORDER}
    seen: dict[tuple[str, tuple[Any, ...]], str] = {}
    placed: list[tuple[RawRecord, dict[str, Any]]] = []
    for rec in records:
        spec = TABLES[rec.table]
        row = parse_record(spec, rec, issues)
        if row is None:
            continue
        key = tuple(row[k] for k in spec.key)
        first = seen.get((rec.table, key))
        if first is not None:
            issues.append(Issue(rec.file, rec.where, spec.key[0], f"duplicate {rec.table} key {key} (first at {first})"))
            continue
        seen[(rec.table, key)] = f"{rec.file} {rec.where}"
        rows[rec.table].append(row)
        placed.append((rec, row))
    known: dict[str, set[str]] = {}
    for rec, row in placed:
        for f in TABLES[rec.table].fields:
            if f.ref is None or row.get(f.name) is None:
                continue
            if f.ref not in known:
                known[f.ref] = {r["id"] for r in rows[f.ref]} | existing_ids(f.ref)
            if row[f.name] not in known[f.ref]:
                issues.append(Issue(rec.file, rec.where, f.name, f"{row[f.name]!r} not found in {f.ref} (neither imported nor in the database)"))
    return rows


def read_and_validate(paths: Iterable[Path], existing_ids: Callable[[str], set[str]]) -> Rows:
    """Validate all files first; raises ImportValidationError listing every problem."""
    issues: list[Issue] = []
    records: list[RawRecord] = []
    for path in paths:
        records.extend(read_records(Path(path), issues))
    rows = validate(records, existing_ids, issues)
    if issues:
        raise ImportValidationError(issues)
    return rows
