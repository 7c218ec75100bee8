"""KB HTTP service (Flask app factory): search, embed, entry CRUD, reload and the miss log over JSON."""

from __future__ import annotations

import hmac
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from kb.config import KBConfig, load_config
from kb.encoders import Encoder
from kb.index import set_search_threads
from kb.knowledge_base import KnowledgeBase
from kb.misses import MissLog, MissQueryError, misses_path, parse_top_args, record_result
from kb.records import FaqEntry, entry_to_dict
from kb.search import entry_title
from kb.validate import LoadError, Location, faq_flat, faq_structured, product

api = Blueprint("kb_api", __name__)
MAX_TOP_K = 50
MAX_EMBED = 256


class ApiError(Exception):
    """A 4xx JSON error naming the offending request parameter."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


class KBState:
    """The loaded knowledge base and encoder, shared by request threads behind one lock."""

    def __init__(self, kb_dir: Path, encoder: Encoder, config: KBConfig) -> None:
        self.kb_dir, self.encoder, self.config = kb_dir, encoder, config
        self.lock = threading.RLock()
        self.kb = self.load()

    def load(self) -> KnowledgeBase:
        return KnowledgeBase.open(self.kb_dir, self.encoder, **self.config.kb_options())


def _state() -> KBState:
    state: KBState = current_app.extensions["kb"]
    return state


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "body must be a JSON object", "body")
    return data


def _require_token() -> None:
    expected = current_app.config.get("SERVICE_TOKEN")
    if not expected:
        raise ApiError(403, "forbidden", "writes are disabled: SERVICE_TOKEN is not set", "Authorization")
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    if not hmac.compare_digest(given.encode(), str(expected).encode()):
        raise ApiError(401, "unauthorized", "missing or wrong bearer token", "Authorization")


@api.get("/health")
def health() -> Any:
    state = _state()
    return jsonify({"status": "ok", "entries": state.kb.count(), "encoder": state.encoder.name,
                    "manifest": state.kb.manifest})


@api.post("/search")
def search() -> Any:
    body = _body()
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "bad_request", "query must be a non-empty string", "query")
    top_k = body.get("top_k", 5)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
        raise ApiError(400, "bad_request", f"top_k must be an integer in 1..{MAX_TOP_K}", "top_k")
    lang = body.get("lang")
    if lang not in (None, "zh", "en"):
        raise ApiError(400, "bad_request", "lang must be 'zh', 'en' or null", "lang")
    kinds = body.get("kinds")
    if kinds is not None and (not isinstance(kinds, list)
                              or not set(kinds) <= {"faq", "product", "policy"}):
        raise ApiError(400, "bad_request", "kinds must be a list of faq / product / policy", "kinds")
    state = _state()
    with state.lock:
        result = state.kb.search(query.strip(), top_k=top_k, lang=lang, kinds=kinds)
    if body.get("log_miss", True) is not False:
        try:
            record_result(current_app.extensions["kb_misses"], result)
        except sqlite3.Error:
            current_app.logger.warning("miss log not written", exc_info=True)
    return jsonify(result)


@api.get("/misses")
def misses() -> Any:  # token required: queries are customer text
    _require_token()
    try:
        limit, since = parse_top_args(request.args)
    except MissQueryError as exc:
        raise ApiError(400, "bad_request", exc.message, exc.field) from None
    log: MissLog = current_app.extensions["kb_misses"]
    rows = log.top(limit, since)
    return jsonify({"count": len(rows), "misses": [r.to_dict() for r in rows]})


@api.post("/embed")
def embed() -> Any:
    texts = _body().get("texts")
    if (not isinstance(texts, list) or not texts or len(texts) > MAX_EMBED
            or not all(isinstance(t, str) for t in texts)):
        raise ApiError(400, "bad_request", f"texts must be a list of 1..{MAX_EMBED} strings", "texts")
    state = _state()
    with state.lock:
        vectors = state.encoder.encode(texts, kind="query")
    return jsonify({"vectors": vectors.round(6).tolist(), "encoder": state.encoder.name,
                    "dim": state.encoder.dim})


@api.get("/entries")
def list_entries() -> Any:
    kind = request.args.get("kind") or None
    needle = (request.args.get("q") or "").lower()
    state = _state()
    rows = []
    for eid in sorted(state.kb.entries):
        entry = state.kb.entries[eid]
        if kind and entry.kind != kind:
            continue
        record = entry_to_dict(entry)
        if needle and needle not in eid.lower() and needle not in str(record).lower():
            continue
        rows.append({"id": eid, "kind": entry.kind, "title": entry_title(entry), "tags": list(entry.tags)})
    return jsonify({"count": len(rows), "entries": rows})


def _entry_or_404(entry_id: str) -> Any:
    entry = _state().kb.entries.get(entry_id)
    if entry is None:
        raise ApiError(404, "not_found", f"no entry {entry_id!r}", "id")
    return entry


@api.get("/entries/<entry_id>")
def get_entry(entry_id: str) -> Any:
    return jsonify({"id": entry_id, **entry_to_dict(_entry_or_404(entry_id))})


def _parse_entry(entry_id: str, body: dict[str, Any], existing: Any) -> Any:
    """Structured FAQ, flat one-language FAQ (merged into the existing entry), or product."""
    if body.get("id") not in (None, entry_id):
        raise ApiError(400, "bad_request", "id in the body differs from the URL", "id")
    loc = Location("request body")
    try:
        if "sku" in body:
            item = product(body, loc)
            if item.id != entry_id:
                raise ApiError(400, "bad_request", f"a product's id must be product.{item.sku}", "sku")
            return item
        raw = {**body, "id": entry_id}
        if "question" in raw:
            fid, lang, text, tags = faq_flat(raw, loc)
            base = existing if isinstance(existing, FaqEntry) else FaqEntry(fid)
            blocks = {"zh": base.zh, "en": base.en, lang: text}
            return FaqEntry(fid, blocks["zh"], blocks["en"], tags or base.tags)
        return faq_structured(raw, loc)
    except LoadError as exc:
        raise ApiError(400, "bad_request", exc.message, exc.field) from None


@api.put("/entries/<entry_id>")
def put_entry(entry_id: str) -> Any:
    _require_token()
    body = _body()
    state = _state()
    with state.lock:
        existing = state.kb.entries.get(entry_id)
        entry = _parse_entry(entry_id, body, existing)
        change = state.kb.upsert([entry])
        state.kb.save()
    status = 201 if change.added else 200
    return jsonify({"id": entry_id, "created": bool(change.added), "changed": change.changed,
                    "entry": entry_to_dict(entry)}), status


@api.delete("/entries/<entry_id>")
def delete_entry(entry_id: str) -> Any:
    _require_token()
    state = _state()
    with state.lock:
        _entry_or_404(entry_id)
        state.kb.delete([entry_id])
        state.kb.save()
    return jsonify({"id": entry_id, "deleted": True})


@api.post("/reload")
def reload_kb() -> Any:
    _require_token()
    state = _state()
    with state.lock:
        state.kb = state.load()
    return jsonify({"status": "reloaded", "entries": state.kb.count(), "manifest": state.kb.manifest})


def _error_response(exc: Exception) -> Any:
    if isinstance(exc, ApiError):
        payload = {"code": exc.code, "message": exc.message, "field": exc.field}
        return jsonify({"error": payload}), exc.status
    assert isinstance(exc, HTTPException)
    code = (exc.name or "error").lower().replace(" ", "_")
    return jsonify({"error": {"code": code, "message": exc.description, "field": None}}), exc.code


def create_app(kb_dir: Path, encoder: Encoder, config: KBConfig | None = None,
               token: str | None = None, warm_up: bool = True) -> Flask:
    """Build the service around an injected encoder; the KB directory is read once here."""
    app = Flask(__name__)
    app.config["SERVICE_TOKEN"] = token if token is not None else os.environ.get("SERVICE_TOKEN", "")
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    cfg = config or load_config()
    set_search_threads(1)
    state = KBState(Path(kb_dir), encoder, cfg)
    if warm_up and cfg.warmup:  # loads the model, jieba and the lexical side of the index
        for text in cfg.warmup:
            state.kb.search(text) if state.kb.index is not None else encoder.encode([text], kind="query")
    app.extensions["kb"] = state
    app.extensions["kb_misses"] = MissLog(misses_path(Path(kb_dir)))
    app.register_blueprint(api)
    app.register_error_handler(ApiError, _error_response)
    app.register_error_handler(HTTPException, _error_response)
    return app
