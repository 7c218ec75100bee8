"""Command line of the shop database: init, demo, demo-doc, import, export, show, customer."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shop.catalogue import CatalogueError
from shop.db import REPO_ROOT, create_schema, default_url, make_engine
from shop.exchange import ImportValidationError, read_and_validate
from shop.format import describe_customer, describe_order
from shop.repository import ShopRepository
from shop.store import existing_ids, export_rows, load_rows, write_csv_dir, write_json


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db-url", default=None, help="SQLAlchemy URL (default: $SHOP_DATABASE_URL or <var>/shop.db)")
    p = argparse.ArgumentParser(prog="python -m shop", description="Shop database tools.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", parents=[common], help="create the tables")
    d = sub.add_parser("demo", parents=[common], help="load the generated demo dataset (idempotent)")
    d.add_argument("--reset", action="store_true", help="drop every shop table first")
    d.add_argument("--now", default=None, help="anchor time, ISO (default: now)")
    doc = sub.add_parser("demo-doc", parents=[common], help="write shop/DEMO.md (fixed demo customers)")
    doc.add_argument("--out", default=str(REPO_ROOT / "shop" / "DEMO.md"), help="'-' prints to stdout")
    i = sub.add_parser("import", parents=[common], help="import JSON/CSV exports (all-or-nothing, upsert by id)")
    i.add_argument("files", nargs="+", type=Path)
    e = sub.add_parser("export", parents=[common], help="export every table in the import format")
    e.add_argument("--format", choices=("json", "csv"), default="json")
    e.add_argument("--out", default="-", help="JSON file ('-' = stdout) or, for csv, a folder")
    s = sub.add_parser("show", parents=[common], help="show one order")
    s.add_argument("order_id")
    s.add_argument("--json", action="store_true")
    c = sub.add_parser("customer", parents=[common], help="show a customer and their latest orders")
    c.add_argument("customer_id")
    c.add_argument("--json", action="store_true")
    c.add_argument("--limit", type=int, default=10)
    return p


def _json(value: Any) -> str:
    return json.dumps(dataclasses.asdict(value), ensure_ascii=False, indent=1, default=str)


def _import(url: str, files: list[Path]) -> int:
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as s:
        try:
            rows = read_and_validate(files, lambda table: existing_ids(s, table))
        except ImportValidationError as exc:
            print(f"import refused, nothing written ({len(exc.issues)} problem(s)):", file=sys.stderr)
            for issue in exc.issues:
                print(f"  {issue}", file=sys.stderr)
            return 1
        counts = load_rows(s, rows)  # same transaction as the reads above: all or nothing
        s.commit()
    print("imported: " + (", ".join(f"{n} {t}" for t, n in counts.items()) or "nothing"))
    return 0


def _export(url: str, fmt: str, out: str) -> int:
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as s:
        data = export_rows(s)
    if fmt == "csv":
        if out == "-":
            print("--format csv needs --out FOLDER", file=sys.stderr)
            return 2
        for path in write_csv_dir(data, Path(out)):
            print(path)
    elif out == "-":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        write_json(data, Path(out))
        print(out)
    return 0


def _run(args: argparse.Namespace) -> int:
    url = args.db_url or default_url()
    if args.command == "init":
        create_schema(make_engine(url))
        print(f"tables ready in {make_engine(url).url.render_as_string(hide_password=True)}")
        return 0
    if args.command in ("demo", "demo-doc"):
        from shop.demo import generate, render_demo_md
        from shop.setup import load_demo

        if args.command == "demo-doc":
            text = render_demo_md(generate())
            print(text) if args.out == "-" else Path(args.out).write_text(text, encoding="utf-8")
            return 0
        now = datetime.fromisoformat(args.now) if args.now else None
        ds = load_demo(make_engine(url), now=now, reset=args.reset)
        print("demo loaded: " + ", ".join(f"{len(r)} {t}" for t, r in ds.rows.items()))
        return 0
    if args.command == "import":
        return _import(url, args.files)
    if args.command == "export":
        return _export(url, args.format, args.out)
    repo = ShopRepository(make_engine(url))
    if args.command == "show":
        order = repo.get_order(args.order_id)
        if order is None:
            print(f"order {args.order_id} not found", file=sys.stderr)
            return 1
        print(_json(order) if args.json else describe_order(order, repo.now()))
        return 0
    customer = repo.get_customer(args.customer_id)
    if customer is None:
        print(f"customer {args.customer_id} not found", file=sys.stderr)
        return 1
    orders = repo.orders_for_customer(customer.id, limit=args.limit)
    if args.json:
        print(json.dumps({"customer": dataclasses.asdict(customer), "orders": [dataclasses.asdict(o) for o in orders]},
                         ensure_ascii=False, indent=1, default=str))
    else:
        print(describe_customer(customer, orders))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (SQLAlchemyError, CatalogueError, OSError) as exc:
        print(f"error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
