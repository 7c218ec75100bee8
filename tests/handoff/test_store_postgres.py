"""The same store behaviour on PostgreSQL: migrations, idempotent inserts, ordered seqs, restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from handoff.store.db import make_engine, upgrade
from handoff.store.repo import Store
from tests.handoff.conftest import AppFactory, say, start_conversation

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


@pytest.fixture()
def pg_url() -> Iterator[str]:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    name = f"handoff_test_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432: {exc.__class__.__name__}")
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.postgres
def test_store_on_postgres(pg_url: str) -> None:
    engine = make_engine(pg_url)
    assert upgrade(engine) == "0001" and upgrade(engine) == "0001"  # idempotent
    store = Store(engine)
    conv, token = store.create_conversation("C1001", "zh")
    assert store.token_matches(conv.id, token) and not store.token_matches(conv.id, "nope")
    first, created = store.add_message(conv.id, "customer", "hi", "received", client_msg_id="a")
    again, created_again = store.add_message(conv.id, "customer", "hi", "received", client_msg_id="a")
    assert created and not created_again and again.seq == first.seq

    def write(i: int) -> int:
        return store.add_message(conv.id, "customer", f"m{i}", "received", client_msg_id=f"c{i}")[0].seq

    with ThreadPoolExecutor(8) as pool:
        seqs = list(pool.map(write, range(80)))
    assert len(set(seqs)) == 80
    assert [m.seq for m in store.messages(conv.id)] == sorted(seqs + [first.seq])
    assert store.transition_message(first.seq, ["received"], "answered")
    assert not store.transition_message(first.seq, ["received"], "answered")  # exactly one winner
    engine.dispose()


@pytest.mark.postgres
def test_api_on_postgres_survives_restart(make_app: AppFactory, pg_url: str) -> None:
    app = make_app(pg_url)
    client = app.test_client()
    conv_id, auth = start_conversation(client)
    say(client, conv_id, auth, "hello", "m1")
    again = make_app(pg_url).test_client()
    msgs = again.get(f"/api/conversations/{conv_id}/messages", headers=auth).json["messages"]
    assert [m["text"] for m in msgs] == ["hello", "bot: hello"]
    assert say(again, conv_id, auth, "hello", "m1").json["duplicate"] is True
