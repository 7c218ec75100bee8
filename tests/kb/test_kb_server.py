"""KB HTTP service through Flask's test client with the fast hashing encoder."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.encoders.hashing import HashingEncoder
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files
from kb.server import create_app

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path: Path, fixtures: Path) -> FlaskClient:
    kb = KnowledgeBase.open(tmp_path / "kb", HashingEncoder())
    kb.upsert(load_files([fixtures / "kb"]).values())
    kb.save()
    app = create_app(tmp_path / "kb", HashingEncoder(), token=TOKEN)
    return app.test_client()


def test_health(client: FlaskClient) -> None:
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["entries"] == 10 and body["encoder"] == "hashing"
    assert body["manifest"]["count"] == 10


def test_search_contract(client: FlaskClient) -> None:
    body = client.post("/search", json={"query": "退款多久到账", "top_k": 2}).get_json()
    assert body["lang"] == "zh" and len(body["hits"]) == 2
    assert set(body) == {"query", "lang", "in_scope", "threshold", "scope_score", "hits"}
    hit = body["hits"][0]
    assert hit["id"] == "faq.refund.timing"
    assert {"id", "kind", "score", "title", "answer", "matched", "tags", "meta"} <= set(hit)
    only = client.post("/search", json={"query": "sofa", "kinds": ["product"]}).get_json()
    assert all(h["kind"] == "product" for h in only["hits"])


@pytest.mark.parametrize("payload, field", [
    ({"query": ""}, "query"), ({"query": "x", "top_k": 0}, "top_k"), ({"query": "x", "lang": "fr"}, "lang"),
    ({"query": "x", "kinds": ["blog"]}, "kinds"),
])
def test_search_errors_name_the_parameter(client: FlaskClient, payload: dict, field: str) -> None:
    resp = client.post("/search", json=payload)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["field"] == field and resp.get_json()["error"]["code"] == "bad_request"


def test_embed(client: FlaskClient) -> None:
    body = client.post("/embed", json={"texts": ["你好", "hello"]}).get_json()
    assert len(body["vectors"]) == 2 and len(body["vectors"][0]) == 256 and body["encoder"] == "hashing"
    assert client.post("/embed", json={"texts": "no"}).get_json()["error"]["field"] == "texts"


def test_entries_crud_requires_token(client: FlaskClient) -> None:
    record = {"question": "可以开专票吗？", "answer": "亲，可以开增值税专用发票。", "paraphrases": ["要专票"], "lang": "zh"}
    assert client.put("/entries/faq.invoice.vat", json=record).status_code == 401
    resp = client.put("/entries/faq.invoice.vat", json=record, headers=AUTH)
    assert resp.status_code == 201
    assert client.post("/search", json={"query": "要专票"}).get_json()["hits"][0]["id"] == "faq.invoice.vat"
    english = {"question": "Can I get a VAT invoice?", "answer": "Yes.", "lang": "en"}
    assert client.put("/entries/faq.invoice.vat", json=english, headers=AUTH).status_code == 200
    entry = client.get("/entries/faq.invoice.vat").get_json()
    assert entry["zh"]["question"] == "可以开专票吗？" and entry["en"]["answer"] == "Yes."
    listed = client.get("/entries?kind=faq&q=专票").get_json()
    assert [e["id"] for e in listed["entries"]] == ["faq.invoice.vat"]
    bad = client.put("/entries/faq.x", json={"question": "Q"}, headers=AUTH)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "answer"
    assert client.delete("/entries/faq.invoice.vat").status_code == 401
    assert client.delete("/entries/faq.invoice.vat", headers=AUTH).status_code == 200
    assert client.get("/entries/faq.invoice.vat").status_code == 404


def test_reload_sees_changes_made_on_disk(client: FlaskClient, tmp_path: Path) -> None:
    kb = KnowledgeBase.open(tmp_path / "kb", HashingEncoder())
    kb.delete(["faq.refund.timing"])
    kb.save()
    assert client.post("/reload").status_code == 401
    assert client.post("/reload", headers=AUTH).get_json()["entries"] == 9


def test_writes_refused_without_configured_token(tmp_path: Path) -> None:
    app = create_app(tmp_path / "empty", HashingEncoder(), token="")
    resp = app.test_client().delete("/entries/x", headers={"Authorization": "Bearer "})
    assert resp.status_code == 403
    assert app.test_client().get("/nope").get_json()["error"]["code"] == "not_found"


def test_out_of_scope_searches_are_logged_and_listed(client: FlaskClient) -> None:
    for query in ("火星快递要几天？", "火星快递要几天", "xyzzy plugh"):
        assert client.post("/search", json={"query": query}).get_json()["in_scope"] is False
    assert client.post("/search", json={"query": "退款多久到账"}).get_json()["in_scope"] is True
    client.post("/search", json={"query": "xyzzy plugh?", "log_miss": False})
    assert client.get("/misses").status_code == 401
    body = client.get("/misses", headers=AUTH).get_json()
    assert [(m["norm"], m["count"]) for m in body["misses"]] == [("火星快递要几天", 2), ("xyzzy plugh", 1)]
    assert body["count"] == 2 and body["misses"][0]["query"] == "火星快递要几天"
    assert client.get("/misses?limit=1", headers=AUTH).get_json()["count"] == 1
    bad = client.get("/misses?since=yesterday", headers=AUTH)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "since"
