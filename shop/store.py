"""Write validated table rows into the database (upsert by key) and export them back out."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.exchange import Rows
from shop.schema import LOAD_ORDER, TABLES, format_value


def existing_ids(session: Session, table: str) -> set[str]:
    """Ids already stored in a table that other tables reference (customers, orders, shipments)."""
    model = TABLES[table].model
    return set(session.scalars(select(model.id)))  # type: ignore[attr-defined]


def load_rows(session: Session, rows: Rows) -> dict[str, int]:
    """Upsert every row (insert new keys, replace existing ones); returns counts per table. Caller commits."""
    counts: dict[str, int] = {}
    for table in LOAD_ORDER:
        batch = rows.get(table) or []
        if not batch:
            continue
        spec = TABLES[table]
        key_cols = [getattr(spec.model, k) for k in spec.key]
        stored = {tuple(r) for r in session.execute(select(*key_cols))}
        for row in batch:
            obj = spec.model(**row)
            if tuple(row[k] for k in spec.key) in stored:
                session.merge(obj)
            else:
                session.add(obj)
        session.flush()
        counts[table] = len(batch)
    return counts


def export_rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every table as JSON-friendly records in the import format."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in LOAD_ORDER:
        spec = TABLES[table]
        order_by = [getattr(spec.model, k) for k in spec.key]
        records = []
        for obj in session.scalars(select(spec.model).order_by(*order_by)):
            records.append({f.name: format_value(f, getattr(obj, f.name)) for f in spec.fields})
        out[table] = records
    return out


def write_json(data: dict[str, list[dict[str, Any]]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def write_csv_dir(data: dict[str, list[dict[str, Any]]], folder: Path) -> list[Path]:
    """One <table>.csv per table (lists joined with '|'); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, records in data.items():
        path = folder / f"{table}.csv"
        names = [f.name for f in TABLES[table].fields]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=names)
            writer.writeheader()
            for rec in records:
                writer.writerow({k: "|".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in rec.items()})
        written.append(path)
    return written
