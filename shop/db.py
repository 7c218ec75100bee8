"""Engine creation, default database URL (SHOP_DATABASE_URL or <var>/shop.db) and schema set-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shop.models import Base

REPO_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Runtime data directory: $CS_VAR_DIR or <repo>/var."""
    env = os.environ.get("CS_VAR_DIR")
    return Path(env) if env else REPO_ROOT / "var"


def default_url() -> str:
    """$SHOP_DATABASE_URL, else SQLite at <var>/shop.db."""
    env = os.environ.get("SHOP_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{var_dir() / 'shop.db'}"


def _enable_sqlite_foreign_keys(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None, echo: bool = False) -> Engine:
    """Engine for `url` (default: default_url()); SQLite files get their folder and foreign keys."""
    url = url or default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create every missing shop table (existing tables are left as they are)."""
    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    """Drop every shop table (used by `demo --reset`)."""
    Base.metadata.drop_all(engine)


def session_factory(engine_or_factory: Engine | sessionmaker[Session]) -> sessionmaker[Session]:
    """A sessionmaker for an engine, or the sessionmaker itself."""
    if isinstance(engine_or_factory, sessionmaker):
        return engine_or_factory
    return sessionmaker(engine_or_factory, expire_on_commit=False)
