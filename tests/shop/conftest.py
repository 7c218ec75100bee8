"""Fixtures: shop databases (temporary SQLite, or a throwaway PostgreSQL database) loaded with the demo."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shop.db import make_engine
from shop.demo import DemoDataset
from shop.repository import ShopRepository
from shop.setup import load_demo

NOW = datetime(2026, 11, 26, 10, 0, 0)
PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _pg_url_or_skip() -> Iterator[str]:
    import psycopg2

    try:
        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {str(exc).strip().splitlines()[0]}")
    conn.autocommit = True
    name = f"shop_test_{uuid.uuid4().hex[:10]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh empty database per test module and backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('shopdb') / 'shop.db'}"
    else:
        yield from _pg_url_or_skip()


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def demo(engine: Engine) -> DemoDataset:
    return load_demo(engine, now=NOW, reset=True)


@pytest.fixture()
def repo(engine: Engine, demo: DemoDataset) -> ShopRepository:
    return ShopRepository(engine, clock=lambda: NOW)


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"
