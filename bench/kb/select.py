"""Method selection on development knowledge bases only (never the second shop's test set).

Ranks and scores the demo's dev queries, the dev shop (bench/data/kb_shop3_dev) and the public sets
under several search settings, and records the raw scores the automatic threshold is calibrated
from, so the ranking and the calibration rule are chosen across KBs rather than on one.
Run: python -m bench.kb.select [--out FILE]; writes bench/results/kb_selection.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.kb import public  # noqa: E402
from kb.calibrate import load_offtopic, loo_scores, offtopic_scores, question_rows  # noqa: E402
from kb.encoders import Encoder, Kind  # noqa: E402
from kb.evaluate import load_queries, retrieval_metrics  # noqa: E402
from kb.knowledge_base import KnowledgeBase  # noqa: E402
from kb.loaders import load_files  # noqa: E402
from kb.ranking import SearchSettings  # noqa: E402
from kb.records import Entry  # noqa: E402

DATA = ROOT / "bench" / "data"


class DiskCachedEncoder:
    """Memoises vectors in a pickle file so repeated selection runs re-encode nothing."""

    def __init__(self, inner: Encoder, path: Path) -> None:
        self.inner, self.name, self.dim, self.path = inner, inner.name, inner.dim, path
        self.cache: dict[str, np.ndarray] = pickle.loads(path.read_bytes()) if path.exists() else {}
        self.dirty = False

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for text, vec in zip(missing, self.inner.encode(missing, kind), strict=True):
                self.cache[text] = vec
            self.dirty = True
        return np.vstack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def flush(self) -> None:
        if self.dirty:
            self.path.write_bytes(pickle.dumps(self.cache))
            self.dirty = False


@dataclasses.dataclass
class DevKB:
    name: str
    entries: dict[str, Entry]
    queries: list[tuple[str, str, str]]  # text, gold, lang
    ood: list[str]


def dev_kbs(extra_ood: dict[str, list[str]]) -> list[DevKB]:
    out = []
    demo = load_files([ROOT / "demo" / "kb"])
    q = load_queries(DATA / "kb_queries_dev.json")
    out.append(DevKB("demo_dev", demo, [(x.text, x.gold, x.lang) for x in q],
                     [x.text for x in load_queries(DATA / "kb_ood_dev.json", need_gold=False)]))
    shop3 = load_files([DATA / "kb_shop3_dev" / "faq_export.csv"])
    q = load_queries(DATA / "kb_shop3_dev" / "queries.json")
    out.append(DevKB("shop3_dev", shop3, [(x.text, x.gold, x.lang) for x in q],
                     [x.text for x in load_queries(DATA / "kb_shop3_dev" / "ood.json", need_gold=False)]))
    root = public.eval_dir(ROOT)
    if root is not None:
        tasks = public.clinc(root)
        if tasks:
            dev, _ = tasks
            out.append(DevKB("clinc_val", dict(dev.entries), [(t, g, "en") for t, g in dev.queries], dev.ood))
        para = public.paraphrase_clusters(root, max_queries=600)
        if para:
            out.append(DevKB("paraphrase_zh", dict(para.entries), [(t, g, "zh") for t, g in para.queries], []))
    return out


def ranking_variants() -> dict[str, SearchSettings]:
    """Ranking settings compared on the labelled dev queries (scope is scored separately)."""
    hybrid = SearchSettings(anchors=False)
    dense = SearchSettings(lexical=0.0, product_name=0.0, rank_mix=(), scope_mix=(0.8, 0.2), anchors=False)
    out: dict[str, SearchSettings] = {}
    for rname, base in (("hybrid", hybrid), ("dense", dense)):
        for aname, rows, pen in (("q", "none", 0.0), ("ans", "sentences", 0.0), ("ans-0.03", "sentences", 0.03),
                                 ("ans-0.06", "sentences", 0.06), ("whole-0.03", "whole", 0.03)):
            out[f"{rname}/{aname}"] = dataclasses.replace(base, answer_rows=rows, answer_penalty=pen)
    return out


def scope_variants() -> dict[str, SearchSettings]:
    """Scope settings: the scope score depends on the rows indexed and the anchors, not on the ranking."""
    out: dict[str, SearchSettings] = {}
    for aname, rows in (("q", "none"), ("ans", "sentences")):
        for sname, anchors, aset in (("cos", False, "scope_anchors"), ("margin", True, "scope_anchors"),
                                     ("margin-off", True, "offtopic")):
            out[f"{aname}/{sname}"] = SearchSettings(answer_rows=rows, anchors=anchors, anchor_set=aset)
    return out


def run_one(kb_def: DevKB, settings: SearchSettings, encoder: Encoder, extra_ood: dict[str, list[str]],
            offtopic_vecs: np.ndarray, scope: bool) -> dict[str, Any]:
    kb = KnowledgeBase(Path(tempfile.gettempdir()) / "kb-select-unused", encoder, settings=settings)
    kb.upsert(kb_def.entries.values())
    texts = [t for t, _, _ in kb_def.queries]
    vecs = encoder.encode(texts)
    ranks, in_scores, langs = [], [], []
    for (text, gold, lang), vec in zip(kb_def.queries, vecs, strict=True):
        res = kb.search_vector(vec[None, :], text, 5)
        ids = [h["id"] for h in res["hits"]]
        ranks.append(ids.index(gold) + 1 if gold in ids else None)
        in_scores.append(res["scope_score"])
        langs.append(lang)
    out: dict[str, Any] = {"overall": retrieval_metrics(ranks),
                           "by_lang": {lg: retrieval_metrics([r for r, l2 in zip(ranks, langs, strict=True) if l2 == lg])
                                       for lg in sorted(set(langs))}}
    if not scope:
        return out

    def scores(batch: list[str]) -> list[float]:
        bv = encoder.encode(batch)
        return [kb.search_vector(v[None, :], t, 1)["scope_score"] for t, v in zip(batch, bv, strict=True)]

    rows = question_rows(kb, 400)
    out.update({"in_scores": in_scores, "ood_scores": scores(kb_def.ood) if kb_def.ood else [],
                "loo": loo_scores(kb, rows), "offtopic": offtopic_scores(kb, offtopic_vecs, load_offtopic()),
                "extra_ood": {k: scores(v) for k, v in extra_ood.items()}})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "kb_selection.json"))
    parser.add_argument("--only", help="comma-separated variant names")
    args = parser.parse_args()
    from kb.config import load_config
    from kb.encoders.e5 import E5Encoder
    from kb.encoders.fused import FusedEncoder
    from kb.encoders.use import UseEncoder
    from kb.paths import default_model_dir, var_dir

    cache_dir = var_dir() / "bench-cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    e5 = DiskCachedEncoder(E5Encoder(default_model_dir(), threads=2), cache_dir / "e5.pkl")
    use = DiskCachedEncoder(UseEncoder(), cache_dir / "use.pkl")
    fused = FusedEncoder([e5, use], name="fused", weights=load_config().fusion_weights)
    root = public.eval_dir(ROOT)
    extra = {"smp2017_zh": public.smp2017(root, n=200), "clinc_oos_en": public.clinc_oos_only(root, n=200)} if root else {}
    kbs = dev_kbs(extra)
    offtopic_vecs = fused.encode(list(load_offtopic()))
    wanted = set(args.only.split(",")) if args.only else None
    results: dict[str, Any] = {}
    for kb_def in kbs:
        started = time.time()
        results[kb_def.name] = {}
        jobs = [("rank/" + n, s, False) for n, s in ranking_variants().items()]
        if kb_def.name != "paraphrase_zh":
            jobs += [("scope/" + n, s, True) for n, s in scope_variants().items()]
        for name, settings, scope in jobs:
            if wanted and name not in wanted:
                continue
            res = run_one(kb_def, settings, fused, extra if kb_def.name in ("demo_dev", "shop3_dev") else {},
                          offtopic_vecs, scope)
            results[kb_def.name][name] = res
            print(f"{kb_def.name:14} {name:24} R@1={res['overall']['recall@1']:.3f} "
                  f"R@5={res['overall']['recall@5']:.3f}", flush=True)
        e5.flush()
        use.flush()
        Path(args.out).write_text(json.dumps(results), encoding="utf-8")
        print(f"  {kb_def.name}: {time.time() - started:.0f} s", flush=True)
    Path(args.out).write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
