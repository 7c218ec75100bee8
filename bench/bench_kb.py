"""Benchmark: KB retrieval quality (own + public data), scope rejection, latency, memory and scale."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from bench.kb import perf, public  # noqa: E402
from bench.kb.searchers import CachedEncoder, Ranked, Searcher, bm25_searcher, kb_searcher  # noqa: E402
from kb.config import load_config  # noqa: E402
from kb.encoders.e5 import E5Encoder  # noqa: E402
from kb.encoders.e5_build import build_e5_folder  # noqa: E402
from kb.encoders.fused import FusedEncoder  # noqa: E402
from kb.encoders.use import UseEncoder  # noqa: E402
from kb.evaluate import LabelledQuery, load_queries, retrieval_metrics, scope_metrics, tune_threshold  # noqa: E402
from kb.index import set_search_threads  # noqa: E402
from kb.loaders import load_files  # noqa: E402
from kb.paths import default_model_dir  # noqa: E402
from kb.ranking import SearchSettings  # noqa: E402
from kb.records import Entry  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"


def ranks_of(ranked: Ranked, golds: Sequence[str]) -> list[int | None]:
    ids = [[eid for eid, _ in hits] for hits in ranked]
    return [row.index(g) + 1 if g in row else None for row, g in zip(ids, golds, strict=False)]


def top_scores(ranked: Ranked) -> list[float]:
    return [float(getattr(hits, "scope", hits[0][1])) if hits else -1e9 for hits in ranked]


def auroc(in_scores: Sequence[float], ood_scores: Sequence[float]) -> float:
    from sklearn.metrics import roc_auc_score

    labels = [1] * len(in_scores) + [0] * len(ood_scores)
    return round(float(roc_auc_score(labels, list(in_scores) + list(ood_scores))), 4)


def grouped(queries: Sequence[LabelledQuery], ranks: Sequence[int | None], attr: str) -> dict[str, Any]:
    groups: dict[str, list[int | None]] = {}
    for q, r in zip(queries, ranks, strict=False):
        groups.setdefault(getattr(q, attr), []).append(r)
    return {k: retrieval_metrics(v) for k, v in sorted(groups.items())}


def own_data(searchers: dict[str, Searcher], entries: dict[str, Entry],
             public_ood: dict[str, list[str]]) -> dict[str, Any]:
    """Project's labelled sets: tune on *_dev.json, report on *_test.json."""
    paths = {n: DATA / f"kb_{n}.json" for n in ("queries_test", "queries_dev", "ood_test", "ood_dev")}
    if not paths["queries_test"].exists():
        return {"skipped": f"{paths['queries_test'].relative_to(ROOT)} not found"}
    test = [q for q in load_queries(paths["queries_test"])]
    unknown = sorted({q.gold for q in test} - set(entries))
    test = [q for q in test if q.gold in entries]
    dev = [q for q in load_queries(paths["queries_dev"]) if q.gold in entries] if paths["queries_dev"].exists() else []
    ood_test = load_queries(paths["ood_test"], need_gold=False) if paths["ood_test"].exists() else []
    ood_dev = load_queries(paths["ood_dev"], need_gold=False) if paths["ood_dev"].exists() else []
    out: dict[str, Any] = {"n_test": len(test), "n_dev": len(dev), "n_ood_test": len(ood_test),
                           "n_ood_dev": len(ood_dev), "unknown_gold_skipped": unknown, "methods": {}}
    for name, search in searchers.items():
        ranked = search([q.text for q in test])
        ranks = ranks_of(ranked, [q.gold for q in test])
        res: dict[str, Any] = {"overall": retrieval_metrics(ranks), "by_lang": grouped(test, ranks, "lang"),
                               "by_style": grouped(test, ranks, "style")}
        if dev and ood_dev and ood_test:
            threshold, tuning = tune_threshold(top_scores(search([q.text for q in dev])),
                                               top_scores(search([q.text for q in ood_dev])))
            in_s, ood_s = top_scores(ranked), top_scores(search([q.text for q in ood_test]))
            res["threshold"] = round(threshold, 4)
            res["scope_test"] = scope_metrics(in_s, ood_s, threshold)
            res["scope_auroc"] = auroc(in_s, ood_s)
            res["public_ood_rejected"] = {k: round(float(np.mean(np.asarray(top_scores(search(v))) < threshold)), 4)
                                          for k, v in public_ood.items() if v}
        res["misses"] = [{"text": q.text, "gold": q.gold, "got": [e for e, _ in h[:3]]}
                         for q, h, r in zip(test, ranked, ranks, strict=False) if r != 1][:25]
        out["methods"][name] = res
        print(f"  own/{name}: {res['overall']}", flush=True)
    return out


def public_data(factories: dict[str, Any]) -> dict[str, Any]:
    """Paraphrase clusters (bq_corpus + afqmc) and CLINC150 intent retrieval with out-of-scope."""
    root = public.eval_dir(ROOT)
    if root is None:
        return {"skipped": "../shared/eval not found"}
    out: dict[str, Any] = {}
    para = public.paraphrase_clusters(root)
    if para:
        out["paraphrase_zh"] = {"kb_entries": len(para.entries), "queries": len(para.queries), "methods": {}}
        for name, make in factories.items():
            search = make(para.entries)
            ranks = ranks_of(search([q for q, _ in para.queries]), [g for _, g in para.queries])
            out["paraphrase_zh"]["methods"][name] = retrieval_metrics(ranks)
            print(f"  paraphrase/{name}: {out['paraphrase_zh']['methods'][name]}", flush=True)
    tasks = public.clinc(root)
    if tasks:
        dev, test = tasks
        out["clinc150_en"] = {"kb_entries": len(test.entries), "queries": len(test.queries),
                              "ood": len(test.ood), "methods": {}}
        for name, make in factories.items():
            search = make(test.entries)
            threshold, _ = tune_threshold(top_scores(search([q for q, _ in dev.queries])),
                                          top_scores(search(dev.ood)))
            ranked = search([q for q, _ in test.queries])
            in_s, ood_s = top_scores(ranked), top_scores(search(test.ood))
            res = retrieval_metrics(ranks_of(ranked, [g for _, g in test.queries]))
            res.update({"threshold": round(threshold, 4), **scope_metrics(in_s, ood_s, threshold),
                        "auroc": auroc(in_s, ood_s)})
            out["clinc150_en"]["methods"][name] = res
            print(f"  clinc/{name}: {res}", flush=True)
    return out


def performance(fused: FusedEncoder, entries: dict[str, Entry], queries: list[str],
                sizes: Sequence[int]) -> dict[str, Any]:
    """Production path (fused encoder, uncached): latency, throughput, memory, scale."""
    set_search_threads(1)  # as kb.server does
    _, kb = kb_searcher(fused, entries, settings=load_config().search_settings())
    assert kb.index is not None
    fused.encode(["预热", "warm up"])
    for q in queries[:5]:  # warm-up: jieba, the lexical side of the index, the anchors
        kb.search(q)
    real = perf.single_query_latency(fused, lambda v, q: kb.search_vector(v, q, 5), queries)
    base, _ = kb.index.vectors()
    texts = [r.text for e in entries.values() for r in e.rows()][:512]
    rate = perf.throughput(fused, texts)
    qvecs = fused.encode(queries[:200])
    start = time.perf_counter()
    ten_k = perf.synthetic_kb(kb, 10_000)
    build_s = time.perf_counter() - start
    assert ten_k.index is not None
    for q in queries[:50]:  # warm-up, as the service does after loading
        ten_k.search_vector(fused.encode([q]), q, 5)
    at_10k = perf.single_query_latency(fused, lambda v, q: ten_k.search_vector(v, q, 5), queries)
    scale = perf.scale_runs(base, qvecs, sizes, 1, rate)
    return {"demo_kb": {"entries": kb.count(), "rows": kb.index.row_count(), "latency": real},
            "at_10k_entries": {"rows": ten_k.index.row_count(), "index_build_s": round(build_s, 2),
                               "latency_encode_plus_search": at_10k},
            "batch_throughput_sentences_per_s": round(rate, 1), "scale_one_row_per_entry": scale,
            "bench_process_memory": perf.rss_mb(), "memory": perf.service_memory(ROOT)}


def write_markdown(results: dict[str, Any], path: Path) -> None:
    from bench.kb.report import render

    path.write_text(render(results), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-public", action="store_true", help="skip ../shared/eval")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    started = time.time()
    model_dir = default_model_dir()
    build_e5_folder(model_dir)
    e5_raw, use_raw = E5Encoder(model_dir, threads=load_config().torch_threads), UseEncoder()
    e5, use = CachedEncoder(e5_raw), CachedEncoder(use_raw)
    weights = load_config().fusion_weights
    encoders = {"e5-small": e5, "use-m3": use, "fused-0.5": FusedEncoder([e5, use], name="fused"),
                "fused": FusedEncoder([e5, use], name="fused", weights=weights)}
    factories: dict[str, Any] = {"bm25": bm25_searcher}
    settings = load_config().search_settings()
    factories.update({n: (lambda entries, enc=enc: kb_searcher(enc, entries, settings=settings)[0])
                      for n, enc in encoders.items()})
    # the search path before hybrid ranking and anchors: best-row cosine ranks, top cosine decides scope
    dense_only = SearchSettings(lexical=0.0, product_name=0.0, rank_mix=(), scope_mix=weights, anchors=False)
    factories["fused-dense-only"] = lambda entries: kb_searcher(encoders["fused"], entries, settings=dense_only)[0]
    # public sets are other domains (CLINC's in-scope intents include weather and banking): no shop anchors
    public_settings = dataclasses.replace(settings, anchors=False)
    public_factories: dict[str, Any] = {"bm25": bm25_searcher}
    public_factories.update({n: (lambda entries, enc=enc: kb_searcher(enc, entries, settings=public_settings)[0])
                             for n, enc in encoders.items()})
    entries = load_files([ROOT / "demo" / "kb"])
    root = public.eval_dir(ROOT)
    public_ood = {"smp2017_zh": public.smp2017(root), "clinc_oos_en": public.clinc_oos_only(root)} if root else {}
    results: dict[str, Any] = {
        "kb_entries": len(entries), "encoder_config": "fused", "machine_cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "search_path": (f"hybrid ranking (lexical {settings.lexical:g}, product name {settings.product_name:g}, "
                        f"rank mix {dict(settings.rank_mix)}), scope score = cosine (mix {settings.scope_mix}) "
                        "to the KB minus cosine to the out-of-scope anchors; BM25 is plain"),
        "search_settings": {"lexical": settings.lexical, "product_name": settings.product_name,
                            "rank_mix": dict(settings.rank_mix), "scope_mix": list(settings.scope_mix)}}
    print("own labelled data…", flush=True)
    results["own"] = own_data({n: f(entries) for n, f in factories.items()}, entries, public_ood)
    if not args.no_public:
        print("public data…", flush=True)
        results["public"] = public_data(public_factories)
    print("performance…", flush=True)
    test_file = DATA / "kb_queries_test.json"
    queries = [q.text for q in load_queries(test_file)][:300] if test_file.exists() else \
        [r.text for e in list(entries.values())[:60] for r in e.rows()[:2]]
    results["performance"] = performance(FusedEncoder([e5_raw, use_raw], name="fused", weights=weights),
                                         entries, queries,
                                         [int(s) for s in args.sizes.split(",")])
    results["elapsed_s"] = round(time.time() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "kb.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    write_markdown(results, RESULTS / "kb.md")
    print((RESULTS / "kb.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
