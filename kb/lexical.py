"""Lexical evidence for hybrid ranking: idf-weighted query-term coverage over jieba words and char bigrams."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from shoptext import clean_chat

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOP_EN = frozenset({
    "a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "its", "is", "are", "was", "were",
    "be", "been", "am", "do", "does", "did", "to", "of", "in", "on", "at", "for", "and", "or", "but", "if",
    "can", "could", "would", "should", "will", "with", "from", "by", "this", "that", "these", "those",
    "there", "what", "when", "where", "how", "why", "which", "who", "please", "hi", "hello", "any", "some",
    "have", "has", "had", "not", "no", "get", "got",
})


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _stem(word: str) -> str:
    """Very light English stemming: plural / -ing / -ed endings, enough for FAQ matching."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + keep
    return word


def terms(text: str) -> set[str]:
    """Distinct terms: jieba words and character bigrams of Chinese runs, stemmed English words."""
    plain = clean_chat(text).lower()
    out: set[str] = set()
    for run in _HAN.findall(plain):
        out.update(w for w in _jieba().lcut(run) if len(w) > 1)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            out.add(run)
    out.update(_stem(w) for w in _LATIN.findall(plain) if w not in _STOP_EN)
    return out


class TermStats:
    """Document frequencies of terms over index rows (add/remove as rows change); gives idf weights."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n_rows = 0

    def add(self, row_terms: Iterable[set[str]]) -> None:
        for ts in row_terms:
            self.df.update(ts)
            self.n_rows += 1

    def remove(self, row_terms: Iterable[set[str]]) -> None:
        for ts in row_terms:
            self.df.subtract(ts)
            self.n_rows -= 1
        for term in [t for t, c in self.df.items() if c <= 0]:
            del self.df[term]

    def idf(self, term: str) -> float:
        """BM25-style idf; unseen terms get the highest weight."""
        n = max(self.n_rows, 1)
        df = self.df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def coverage(query_terms: set[str], row_terms: set[str], weights: dict[str, float],
             total: float | None = None) -> float:
    """Share of the query's idf mass that the row contains, in [0, 1] (``total``: that mass, if known)."""
    mass = sum(weights.values()) if total is None else total
    if mass <= 0:
        return 0.0
    return sum(weights[t] for t in query_terms & row_terms) / mass


def query_weights(query_terms: set[str], stats: TermStats) -> dict[str, float]:
    return {t: stats.idf(t) for t in query_terms}


def best_coverage(query_terms: set[str], rows: Sequence[set[str]], stats: TermStats) -> float:
    """Highest coverage over several rows (an entry's rows)."""
    weights = query_weights(query_terms, stats)
    return max((coverage(query_terms, r, weights) for r in rows), default=0.0)
