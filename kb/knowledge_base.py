"""A knowledge-base directory: typed records plus their vector index, saved atomically together."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kb.encoders import Encoder
from kb.index import KnowledgeIndex, RowHit, atomic_write_dir, recover_dir
from kb.lang import detect_lang
from kb.lexical import terms
from kb.ranking import SearchSettings, hybrid_scores, name_hits, name_index
from kb.records import Entry, Lang, content_hash, entry_from_dict, entry_hash, entry_to_dict
from kb.scope import anchors_hash, load_anchors, member_layout, mixed_cosine, scope_score
from kb.search import SearchResult, allowed_ids, render_hit

MANIFEST = "manifest.json"
RECORDS = "records.json"
ANCHORS = "scope_anchors.npy"
FORMAT_VERSION = 1


class KnowledgeBaseError(RuntimeError):
    """The knowledge base cannot serve the request (missing encoder, encoder mismatch…)."""


@dataclass(frozen=True)
class ChangeSet:
    """What an import or sync changed."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class KnowledgeBase:
    """Records + index in one directory; mutate, then ``save()`` writes the whole directory atomically."""

    directory: Path
    encoder: Encoder | None
    entries: dict[str, Entry] = field(default_factory=dict)
    index: KnowledgeIndex | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    default_threshold: float = 0.6
    settings: SearchSettings = field(default_factory=SearchSettings)
    _allowed_cache: dict[tuple[str, frozenset[str] | None], set[str] | None] = field(
        default_factory=dict, repr=False)
    _names: dict[str, set[str]] | None = field(default=None, repr=False)
    _anchor_vecs: np.ndarray | None = field(default=None, repr=False)

    # ----- opening -----
    @classmethod
    def open(cls, directory: Path, encoder: Encoder | None = None, default_threshold: float = 0.6,
             settings: SearchSettings | None = None) -> KnowledgeBase:
        """Load ``directory`` (an empty KB if it does not exist yet)."""
        directory = Path(directory)
        recover_dir(directory)
        kb = cls(directory, encoder, default_threshold=default_threshold,
                 settings=settings or SearchSettings())
        if not (directory / MANIFEST).exists():
            return kb
        kb.manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        records = json.loads((directory / RECORDS).read_text(encoding="utf-8"))
        kb.entries = {d["id"] if d["kind"] != "product" else f"product.{d['sku']}": entry_from_dict(d)
                      for d in records}
        kb.index = KnowledgeIndex.load(directory)
        if (directory / ANCHORS).exists():
            kb._anchor_vecs = np.load(directory / ANCHORS)
        if encoder is not None:
            kb._check_encoder(encoder)
        return kb

    def _check_encoder(self, encoder: Encoder) -> None:
        built = self.manifest.get("encoder")
        if self.index is not None and self.index.row_count() and built != encoder.name:
            raise KnowledgeBaseError(
                f"{self.directory} was built with encoder {built!r}, not {encoder.name!r}; "
                "run `python -m kb build` to re-encode it")

    def _need_encoder(self) -> Encoder:
        if self.encoder is None:
            raise KnowledgeBaseError("this operation needs an encoder")
        return self.encoder

    # ----- properties -----
    @property
    def threshold(self) -> float:
        """Tuned threshold from the manifest, else the configured default for this kind of scope score."""
        value = self.manifest.get("threshold")
        if value is not None:
            return float(value)
        return self.settings.default_margin if self._uses_anchors() else self.default_threshold

    def _uses_anchors(self) -> bool:
        return self.settings.anchors and bool(getattr(self.encoder, "semantic", True)) and bool(load_anchors())

    def count(self) -> int:
        return len(self.entries)

    def content_hash(self) -> str:
        return content_hash(self.entries)

    # ----- mutation -----
    def _encode_into(self, entries: Sequence[Entry]) -> None:
        encoder = self._need_encoder()
        if self.index is None or (self.index.row_count() == 0 and self.index.dim != encoder.dim):
            self.index = KnowledgeIndex(encoder.dim)
        rows = [row for entry in entries for row in entry.rows()]
        vectors = encoder.encode([r.text for r in rows], kind="passage") if rows else \
            np.zeros((0, encoder.dim), dtype=np.float32)
        self.index.delete([e.id for e in entries])
        self.index.add(rows, vectors)
        self.manifest["encoder"] = encoder.name
        self._allowed_cache, self._names = {}, None

    def upsert(self, entries: Iterable[Entry]) -> ChangeSet:
        """Add or replace entries; only entries whose content changed are re-encoded."""
        if self.index is not None and self.encoder is not None:
            self._check_encoder(self.encoder)
        added: list[str] = []
        updated: list[str] = []
        todo: list[Entry] = []
        same = 0
        for entry in entries:
            old = self.entries.get(entry.id)
            if old is not None and entry_hash(old) == entry_hash(entry):
                same += 1
                continue
            (updated if old is not None else added).append(entry.id)
            todo.append(entry)
        if todo:
            self._encode_into(todo)
            for entry in todo:
                self.entries[entry.id] = entry
        return ChangeSet(tuple(added), tuple(updated), (), same)

    def delete(self, entry_ids: Sequence[str]) -> tuple[str, ...]:
        """Remove entries (records and index rows); returns the ids that existed."""
        present = tuple(eid for eid in entry_ids if eid in self.entries)
        for eid in present:
            del self.entries[eid]
        if self.index is not None:
            self.index.delete(list(present))
        self._allowed_cache, self._names = {}, None
        return present

    def sync(self, entries: dict[str, Entry]) -> ChangeSet:
        """Make the KB hold exactly ``entries`` (delete the rest), re-encoding only changes."""
        removed = self.delete([eid for eid in self.entries if eid not in entries])
        change = self.upsert(entries.values())
        return ChangeSet(change.added, change.updated, removed, change.unchanged)

    def rebuild(self) -> None:
        """Re-encode every entry with the current encoder (after an encoder change)."""
        encoder = self._need_encoder()
        previous = self.manifest.get("encoder")
        self.index = KnowledgeIndex(encoder.dim)
        self._encode_into(list(self.entries.values()))
        if previous != encoder.name:  # a threshold tuned for another encoder means nothing
            self.manifest.pop("threshold", None)
            self.manifest.pop("tuning", None)
            self.manifest.pop("scope_anchors", None)
            self._anchor_vecs = None
        self.manifest["built_at"] = _now()

    def set_threshold(self, value: float, details: dict[str, Any] | None = None) -> None:
        """Store a tuned in-scope threshold in the manifest (saved with ``save()``)."""
        self.manifest["threshold"] = round(float(value), 4)
        self.manifest["tuning"] = details or {}

    def save(self) -> None:
        """Write records, index and manifest to a temporary directory and swap it into place."""
        index = self.index or KnowledgeIndex(self.encoder.dim if self.encoder else 0)
        self.manifest.update({
            "format": FORMAT_VERSION, "encoder": self.manifest.get("encoder") or
            (self.encoder.name if self.encoder else None), "dim": index.dim,
            "content_hash": self.content_hash(), "count": self.count(), "rows": index.row_count(),
            "updated_at": _now(), "threshold": self.manifest.get("threshold"),
        })
        self.manifest.setdefault("built_at", self.manifest["updated_at"])
        records = [entry_to_dict(self.entries[eid]) for eid in sorted(self.entries)]

        anchors = self._anchor_vecs

        def write(tmp: Path) -> None:
            index.save(tmp)
            if anchors is not None:
                np.save(tmp / ANCHORS, anchors)
            (tmp / RECORDS).write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
            (tmp / MANIFEST).write_text(json.dumps(self.manifest, ensure_ascii=False, indent=2),
                                        encoding="utf-8")

        atomic_write_dir(self.directory, write)

    # ----- querying -----
    def _allowed(self, lang: Lang, kinds: Sequence[str] | None) -> set[str] | None:
        cache = self._allowed_cache
        key = (lang, frozenset(kinds) if kinds else None)
        if key not in cache:
            cache[key] = allowed_ids(self.entries, lang, set(kinds) if kinds else None)
        return cache[key]

    def anchor_vectors(self) -> np.ndarray | None:
        """Encoded out-of-scope anchors (kb/data/scope_anchors.yaml), cached in the KB directory."""
        texts = load_anchors() if self._uses_anchors() else ()
        stamp = {"hash": anchors_hash(texts), "encoder": self.manifest.get("encoder")}
        if self._anchor_vecs is not None and self.manifest.get("scope_anchors") == stamp:
            return self._anchor_vecs
        if not texts or self.encoder is None or self.encoder.name != stamp["encoder"]:
            return None
        self._anchor_vecs = self.encoder.encode(list(texts), kind="query")
        self.manifest["scope_anchors"] = stamp
        return self._anchor_vecs

    def _product_names(self) -> dict[str, set[str]]:
        if self._names is None:
            self._names = name_index(self.entries)
        return self._names

    def _layout(self, index: KnowledgeIndex) -> list[tuple[slice, float]]:
        return member_layout(self.encoder) if self.encoder is not None else [(slice(0, index.dim), 1.0)]

    def _candidates(self, index: KnowledgeIndex, query_vec: np.ndarray, query: str, lang: Lang, top_k: int,
                    allow: set[str] | None) -> tuple[dict[str, RowHit], dict[str, float], float]:
        """Dense candidates plus products named in the query: (best rows, hybrid scores, best KB cosine
        under the scope mix). All rows of the candidates are re-scored, per language if configured."""
        found = index.search(query_vec, max(top_k, self.settings.candidates), allow)
        query_terms = terms(query)
        stats = index.term_stats()
        named = {eid: w for eid, w in name_hits(query_terms, self._product_names(), stats).items()
                 if allow is None or eid in allow}
        cand = list(dict.fromkeys([h.entry_id for h in found] + sorted(named)))
        row_ids = [rid for eid in cand for rid in index.entry_row_ids(eid)]
        if not row_ids:
            return {}, {}, -1.0
        vecs = index.row_vectors(row_ids)
        layout, mix = self._layout(index), self.settings.mix_for(lang)
        q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        row_scores = mixed_cosine(q, vecs, layout, mix) if mix else vecs @ q
        best: dict[str, RowHit] = {}
        for rid, score in zip(row_ids, row_scores.tolist(), strict=True):
            row = index.row(rid)
            if row.entry_id not in best or score > best[row.entry_id].score:
                best[row.entry_id] = RowHit(row.entry_id, float(score), row.text, row.lang, rid)
        scores = hybrid_scores({e: h.score for e, h in best.items()}, query_terms,
                               {e: index.entry_terms(e) for e in best}, named, stats, self.settings)
        best_kb = float(np.max(mixed_cosine(q, vecs, layout, self.settings.scope_mix)))
        return best, scores, best_kb

    def search_vector(self, query_vec: np.ndarray, query: str, top_k: int = 5,
                      lang: Lang | None = None, kinds: Sequence[str] | None = None) -> SearchResult:
        """Search with an already encoded query (lets callers batch the encoding)."""
        use_lang: Lang = lang or detect_lang(query)
        threshold = self.threshold
        index = self.index
        if index is None or index.row_count() == 0:
            return SearchResult(query=query, lang=use_lang, in_scope=False, threshold=threshold,
                                scope_score=-1.0, hits=[])
        dense, scores, best_kb = self._candidates(index, query_vec, query, use_lang, top_k,
                                                  self._allowed(use_lang, kinds))
        order = sorted(scores, key=lambda e: -scores[e])[:top_k]
        hits = [render_hit(self.entries[e], replace(dense[e], score=scores[e]), use_lang) for e in order]
        scope = scope_score(best_kb, query_vec, self.anchor_vectors(), self._layout(index),
                            self.settings.scope_mix) if hits else -1.0
        return SearchResult(query=query, lang=use_lang, in_scope=bool(hits) and scope >= threshold,
                            threshold=threshold, scope_score=round(scope, 4), hits=hits)

    def search(self, query: str, top_k: int = 5, lang: Lang | None = None,
               kinds: Sequence[str] | None = None) -> SearchResult:
        """Encode ``query`` and return ranked hits with the in-scope decision."""
        vec = self._need_encoder().encode([query], kind="query")
        return self.search_vector(vec, query, top_k, lang, kinds)
