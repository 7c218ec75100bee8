"""BM25 over jieba tokens: the lexical baseline the encoders are compared with."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from kb.encoders import to_simplified
from kb.records import IndexRow

_WORD = re.compile(r"\w", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of the simplified, lower-cased text, without punctuation."""
    import jieba

    return [t for t in jieba.lcut_for_search(to_simplified(text).lower()) if _WORD.search(t)]


class BM25:
    """Okapi BM25 over index rows; an entry's score is its best row's score."""

    def __init__(self, rows: Sequence[IndexRow], k1: float = 1.5, b: float = 0.75) -> None:
        self.rows = list(rows)
        self.k1, self.b = k1, b
        docs = [tokenize(r.text) for r in self.rows]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / max(len(docs), 1)
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                self.postings[term].append((i, tf))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def search(self, query: str, top_k: int = 5) -> list[tuple[str, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokenize(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, tf in self.postings[term]:
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                scores[i] += idf * tf * (self.k1 + 1) / norm
        best: dict[str, float] = {}
        for i, s in sorted(scores.items(), key=lambda kv: -kv[1]):
            eid = self.rows[i].entry_id
            if eid not in best:
                best[eid] = s
                if len(best) >= top_k:
                    break
        return list(best.items())
