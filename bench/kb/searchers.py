"""Uniform "rank these queries" wrappers around the KB (any encoder) and the BM25 baseline."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.kb.bm25 import BM25
from kb.encoders import Encoder, Kind
from kb.knowledge_base import KnowledgeBase
from kb.ranking import SearchSettings
from kb.records import Entry


class Ranking(list[tuple[str, float]]):
    """Ranked (entry id, score) pairs plus the scope score the in/out-of-scope decision uses."""

    def __init__(self, hits: list[tuple[str, float]], scope: float, in_scope: bool = False) -> None:
        super().__init__(hits)
        self.scope = scope
        self.in_scope = in_scope


Ranked = list[list[tuple[str, float]]]
Searcher = Callable[[Sequence[str]], Ranked]


class CachedEncoder:
    """Memoises vectors so the fused encoder reuses its members' work across runs."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for text, vec in zip(missing, self.inner.encode(missing, kind), strict=False):
                self.cache[text] = vec
        return np.vstack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def kb_searcher(encoder: Encoder, entries: dict[str, Entry], top_k: int = 5,
                settings: SearchSettings | None = None) -> tuple[Searcher, KnowledgeBase]:
    """Build an in-memory KB with ``encoder`` and return a batch ranking function over it."""
    kb = KnowledgeBase(Path(tempfile.gettempdir()) / "kb-bench-unused", encoder,
                       settings=settings or SearchSettings())
    kb.upsert(entries.values())

    def rank(queries: Sequence[str]) -> Ranked:
        vecs = encoder.encode(list(queries), kind="query")
        out: Ranked = []
        for text, vec in zip(queries, vecs, strict=False):
            res = kb.search_vector(vec[None, :], text, top_k)
            out.append(Ranking([(h["id"], h["score"]) for h in res["hits"]], res["scope_score"], res["in_scope"]))
        return out

    return rank, kb


def bm25_searcher(entries: dict[str, Entry], top_k: int = 5) -> Searcher:
    index = BM25([row for e in entries.values() for row in e.rows()])
    return lambda queries: [index.search(q, top_k) for q in queries]
