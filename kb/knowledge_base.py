"""A knowledge-base directory: typed records plus their vector index, saved atomically together."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kb.calibrate import CalibrationRule, calibrate, calibration_stamp, load_offtopic
from kb.encoders import Encoder
from kb.index import KnowledgeIndex, RowHit, atomic_write_dir, recover_dir
from kb.lang import detect_lang
from kb.lexical import terms
from kb.ranking import SearchSettings, hybrid_scores, name_hits, name_index, product_name_terms
from kb.records import Entry, Lang, Product, content_hash, entry_from_dict, entry_hash, entry_to_dict, index_rows
from kb.scope import anchors_hash, data_file, load_anchors, member_layout, mixed_cosine, scope_score
from kb.search import SearchResult, allowed_ids, render_hit

MANIFEST = "manifest.json"
RECORDS = "records.json"
ANCHORS = "scope_anchors.npy"
OFFTOPIC = "offtopic.npy"
FORMAT_VERSION = 1
MAX_NAMED_PRODUCTS = 2
NAMED_TERM_MAX_SHARE = 0.05


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
    calibration: CalibrationRule | None = None  # None: no automatic threshold when saving
    threshold_override: float | None = None  # conf/kb.yaml's scope_threshold: beats everything
    _allowed_cache: dict[tuple[str, frozenset[str] | None], set[str] | None] = field(
        default_factory=dict, repr=False)
    _names: dict[str, set[str]] | None = field(default=None, repr=False)
    _anchor_vecs: np.ndarray | None = field(default=None, repr=False)
    _offtopic_vecs: np.ndarray | None = field(default=None, repr=False)

    # ----- opening -----
    @classmethod
    def open(cls, directory: Path, encoder: Encoder | None = None, default_threshold: float = 0.6,
             settings: SearchSettings | None = None, calibration: CalibrationRule | None = None,
             threshold_override: float | None = None) -> KnowledgeBase:
        """Load ``directory`` (an empty KB if it does not exist yet)."""
        directory = Path(directory)
        recover_dir(directory)
        kb = cls(directory, encoder, default_threshold=default_threshold,
                 settings=settings or SearchSettings(), calibration=calibration,
                 threshold_override=threshold_override)
        if not (directory / MANIFEST).exists():
            return kb
        kb.manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        records = json.loads((directory / RECORDS).read_text(encoding="utf-8"))
        kb.entries = {d["id"] if d["kind"] != "product" else f"product.{d['sku']}": entry_from_dict(d)
                      for d in records}
        kb.index = KnowledgeIndex.load(directory)
        if (directory / ANCHORS).exists():
            kb._anchor_vecs = np.load(directory / ANCHORS)
        if (directory / OFFTOPIC).exists():
            kb._offtopic_vecs = np.load(directory / OFFTOPIC)
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
        """In order: conf/kb.yaml's override, a threshold tuned on labelled queries (`kb tune`), the
        automatic one calibrated when the KB was saved, the configured default for the scope score."""
        if self.threshold_override is not None:
            return float(self.threshold_override)
        value = self.manifest.get("threshold")
        if value is not None:
            return float(value)
        auto = (self.manifest.get("calibration") or {}).get("threshold")
        if auto is not None:
            return float(auto)
        return self.settings.default_margin if self._uses_anchors() else self.default_threshold

    @property
    def threshold_source(self) -> str:
        """Where ``threshold`` comes from: config, tuned, calibrated or default."""
        if self.threshold_override is not None:
            return "config"
        if self.manifest.get("threshold") is not None:
            return "tuned"
        return "calibrated" if (self.manifest.get("calibration") or {}).get("threshold") is not None else "default"

    def _uses_anchors(self) -> bool:
        return (self.settings.anchors and bool(getattr(self.encoder, "semantic", True))
                and bool(load_anchors(data_file(self.settings.anchor_set))))

    def count(self) -> int:
        return len(self.entries)

    def content_hash(self) -> str:
        return content_hash(self.entries)

    # ----- mutation -----
    def _encode_into(self, entries: Sequence[Entry]) -> None:
        encoder = self._need_encoder()
        if self.index is None or (self.index.row_count() == 0 and self.index.dim != encoder.dim):
            self.index = KnowledgeIndex(encoder.dim)
        rows = [row for entry in entries for row in index_rows(entry, self.settings.answer_rows)]
        vectors = encoder.encode([r.text for r in rows], kind="passage") if rows else \
            np.zeros((0, encoder.dim), dtype=np.float32)
        self.index.delete([e.id for e in entries])
        self.index.add(rows, vectors)
        self.manifest["encoder"] = encoder.name
        self.manifest["row_layout"] = self._row_layout()
        self._allowed_cache, self._names = {}, None

    def _row_layout(self) -> dict[str, str]:
        return {"answers": self.settings.answer_rows}

    def _layout_matches(self) -> bool:
        """False when the index was built with other row settings (answer rows on/off)."""
        if self.index is None or self.index.row_count() == 0:
            return True
        return self.manifest.get("row_layout", {"answers": "none"}) == self._row_layout()

    def upsert(self, entries: Iterable[Entry]) -> ChangeSet:
        """Add or replace entries; only entries whose content changed are re-encoded."""
        if self.index is not None and self.encoder is not None:
            self._check_encoder(self.encoder)
            if not self._layout_matches():  # rows of another layout would mix: re-encode everything
                self.rebuild()
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
            self.manifest.pop("offtopic", None)
            self._anchor_vecs = self._offtopic_vecs = None
        self.manifest["built_at"] = _now()

    def set_threshold(self, value: float, details: dict[str, Any] | None = None) -> None:
        """Store a tuned in-scope threshold in the manifest (saved with ``save()``)."""
        self.manifest["threshold"] = round(float(value), 4)
        self.manifest["tuning"] = details or {}

    def offtopic_vectors(self) -> np.ndarray:
        """Encoded generic off-topic set (kb/data/offtopic.yaml), cached in the KB directory."""
        texts = load_offtopic()
        encoder = self._need_encoder()
        stamp = {"hash": anchors_hash(texts), "encoder": encoder.name}
        if self._offtopic_vecs is None or self.manifest.get("offtopic") != stamp:
            self._offtopic_vecs = encoder.encode(list(texts), kind="query")
            self.manifest["offtopic"] = stamp
        return self._offtopic_vecs

    def calibrate(self, force: bool = False) -> dict[str, Any] | None:
        """Store an automatic in-scope threshold for this KB's content (skipped when still current)."""
        rule = self.calibration
        if rule is None or self.encoder is None or self.index is None or not self.index.row_count():
            return None
        current = self.manifest.get("calibration") or {}
        if not force and current.get("stamp") == calibration_stamp(self, rule):
            return dict(current)
        _, details = calibrate(self, rule, self.offtopic_vectors())
        self.manifest["calibration"] = details
        return details

    def save(self) -> None:
        """Calibrate the threshold if content or settings changed, then write records, index and
        manifest to a temporary directory and swap it into place."""
        self.calibrate()
        index = self.index or KnowledgeIndex(self.encoder.dim if self.encoder else 0)
        self.manifest.update({
            "format": FORMAT_VERSION, "encoder": self.manifest.get("encoder") or
            (self.encoder.name if self.encoder else None), "dim": index.dim,
            "content_hash": self.content_hash(), "count": self.count(), "rows": index.row_count(),
            "updated_at": _now(), "threshold": self.manifest.get("threshold"),
        })
        self.manifest.setdefault("built_at", self.manifest["updated_at"])
        records = [entry_to_dict(self.entries[eid]) for eid in sorted(self.entries)]

        anchors, offtopic = self._anchor_vecs, self._offtopic_vecs

        def write(tmp: Path) -> None:
            index.save(tmp)
            if anchors is not None:
                np.save(tmp / ANCHORS, anchors)
            if offtopic is not None:
                np.save(tmp / OFFTOPIC, offtopic)
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
        texts = load_anchors(data_file(self.settings.anchor_set)) if self._uses_anchors() else ()
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
                    allow: set[str] | None, exclude_row: int | None = None
                    ) -> tuple[dict[str, RowHit], dict[str, float], float, dict[str, float]]:
        """Dense candidates plus products named in the query: (best rows, hybrid scores, best KB cosine
        under the scope mix, named products). All rows of the candidates are re-scored, per language if
        configured; ``exclude_row`` leaves one row out (leave-one-out calibration)."""
        found = index.search(query_vec, max(top_k, self.settings.candidates) + (exclude_row is not None), allow)
        query_terms = terms(query)
        stats = index.term_stats()
        named = {eid: w for eid, w in name_hits(query_terms, self._product_names(), stats).items()
                 if allow is None or eid in allow}
        cand = list(dict.fromkeys([h.entry_id for h in found] + sorted(named)))
        row_ids = [rid for eid in cand for rid in index.entry_row_ids(eid) if rid != exclude_row]
        if not row_ids:
            return {}, {}, -1.0, named
        vecs = index.row_vectors(row_ids)
        layout, mix = self._layout(index), self.settings.mix_for(lang)
        q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        row_scores = mixed_cosine(q, vecs, layout, mix) if mix else vecs @ q
        penalty = self.settings.answer_penalty
        best: dict[str, RowHit] = {}
        for rid, score in zip(row_ids, row_scores.tolist(), strict=True):
            row = index.row(rid)
            if penalty and row.source == "answer":
                score -= penalty
            if row.entry_id not in best or score > best[row.entry_id].score:
                best[row.entry_id] = RowHit(row.entry_id, float(score), row.text, row.lang, rid)
        scores = hybrid_scores({e: h.score for e, h in best.items()}, query_terms,
                               {e: index.entry_terms(e) for e in best}, named, stats, self.settings)
        best_kb = float(np.max(mixed_cosine(q, vecs, layout, self.settings.scope_mix)))
        return best, scores, best_kb, named

    def search_vector(self, query_vec: np.ndarray, query: str, top_k: int = 5,
                      lang: Lang | None = None, kinds: Sequence[str] | None = None,
                      exclude_row: int | None = None, exclude_anchor: int | None = None) -> SearchResult:
        """Search with an already encoded query (lets callers batch the encoding). ``exclude_row`` /
        ``exclude_anchor`` leave one index row / one anchor out (threshold calibration only)."""
        use_lang: Lang = lang or detect_lang(query)
        threshold = self.threshold
        index = self.index
        if index is None or index.row_count() == 0:
            return SearchResult(query=query, lang=use_lang, in_scope=False, threshold=threshold,
                                scope_score=-1.0, hits=[])
        dense, scores, best_kb, _ = self._candidates(index, query_vec, query, use_lang, top_k,
                                                         self._allowed(use_lang, kinds), exclude_row)
        order = sorted(scores, key=lambda e: -scores[e])[:top_k]
        hits = [render_hit(self.entries[e], replace(dense[e], score=scores[e]), use_lang) for e in order]
        anchors = self.anchor_vectors()
        if anchors is not None and exclude_anchor is not None:
            anchors = np.delete(anchors, exclude_anchor, axis=0)
        scope = scope_score(best_kb, query_vec, anchors, self._layout(index),
                            self.settings.scope_mix) if hits else -1.0
        in_scope = bool(hits) and (scope >= threshold or self._names_top_product(index, order, query))
        return SearchResult(query=query, lang=use_lang, in_scope=in_scope,
                            threshold=threshold, scope_score=round(scope, 4), hits=hits)

    def _names_top_product(self, index: KnowledgeIndex, order: Sequence[str], query: str) -> bool:
        """The query names the product that ranks first ("这个保温杯容量多大"): a question about it is
        in scope even when its wording ("capacity", "how to use") is far from every KB row. The shared
        name term must be specific: in at most MAX_NAMED_PRODUCTS product names, and in at most
        NAMED_TERM_MAX_SHARE of the index rows outside that product's own."""
        if not self.settings.product_named_in_scope or not order:
            return False
        top = self.entries.get(order[0])
        if not isinstance(top, Product):
            return False
        names, stats = self._product_names(), index.term_stats()
        own = index.entry_terms(top.id)
        for term in terms(query) & product_name_terms(top):
            outside = stats.df.get(term, 0) - sum(1 for row in own if term in row)
            if len(names.get(term, ())) <= MAX_NAMED_PRODUCTS and outside <= NAMED_TERM_MAX_SHARE * stats.n_rows:
                return True
        return False

    def search(self, query: str, top_k: int = 5, lang: Lang | None = None,
               kinds: Sequence[str] | None = None) -> SearchResult:
        """Encode ``query`` and return ranked hits with the in-scope decision."""
        vec = self._need_encoder().encode([query], kind="query")
        return self.search_vector(vec, query, top_k, lang, kinds)
