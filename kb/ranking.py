"""Hybrid ranking: dense score of an entry's best row plus lexical coverage and a product-name bonus."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.lexical import TermStats, coverage, query_weights, terms
from kb.records import Entry, Product


@dataclass(frozen=True)
class SearchSettings:
    """Hybrid ranking weights (0 and 0 = dense only), candidate pool size, and the member mix
    (e.g. e5-small, use-m3) of the cosine used for the scope decision."""

    lexical: float = 0.1
    product_name: float = 0.1
    candidates: int = 20
    scope_mix: tuple[float, ...] = (0.5, 0.5)
    rank_mix: tuple[tuple[str, tuple[float, ...]], ...] = (("en", (0.7, 0.3)),)
    anchors: bool = True  # subtract the similarity to the shop's out-of-scope anchors (kb/data)
    anchor_set: str = "scope_anchors"  # which kb/data/<name>.yaml holds those anchors
    default_margin: float = 0.1  # untuned threshold on that margin (a plain cosine uses KBConfig.threshold)
    answer_rows: str = "none"  # index FAQ answer text too: "none", "sentences" or "whole" (kb.records)
    answer_penalty: float = 0.0  # subtracted from an answer row's cosine (a question row is closer evidence)
    product_named_in_scope: bool = False  # a product the query names specifically that ranks first is in
    #                                       scope whatever the scope score (capacity, usage… questions)

    def mix_for(self, lang: str) -> tuple[float, ...] | None:
        """Member mix that re-scores candidate rows for queries in ``lang`` (None = the fused cosine)."""
        return dict(self.rank_mix).get(lang)


def product_name_terms(entry: Product) -> set[str]:
    """Chinese terms of a product's names (English name words are too generic to single out a product)."""
    out: set[str] = set()
    for lang in ("zh", "en"):
        block = entry.text(lang)
        if block is not None:
            out |= {t for t in terms(block.name) if not t.isascii()}
    return out


def name_index(entries: Mapping[str, Entry]) -> dict[str, set[str]]:
    """Term -> ids of the products whose name holds it."""
    index: dict[str, set[str]] = {}
    for eid, entry in entries.items():
        if isinstance(entry, Product):
            for term in product_name_terms(entry):
                index.setdefault(term, set()).add(eid)
    return index


def name_hits(query_terms: set[str], names: Mapping[str, set[str]], stats: TermStats) -> dict[str, float]:
    """Per product named in the query: idf of its rarest shared name term over the largest possible idf."""
    top = math.log(1.0 + (max(stats.n_rows, 1) + 0.5) / 0.5)
    out: dict[str, float] = {}
    for term in query_terms & names.keys():
        weight = stats.idf(term) / top
        for eid in names[term]:
            out[eid] = max(out.get(eid, 0.0), weight)
    return out


def hybrid_scores(dense: Mapping[str, float], query_terms: set[str],
                  row_terms: Mapping[str, Sequence[set[str]]], named: Mapping[str, float],
                  stats: TermStats, weights: SearchSettings) -> dict[str, float]:
    """Final score per candidate entry: dense + w_lex * best row coverage + w_name * name hit."""
    qw = query_weights(query_terms, stats)
    total = sum(qw.values())
    out = {}
    for eid, score in dense.items():
        lex = max((coverage(query_terms, rt, qw, total) for rt in row_terms.get(eid, ())), default=0.0)
        out[eid] = score + weights.lexical * lex + weights.product_name * named.get(eid, 0.0)
    return out
