"""Latency, throughput, memory and index-scale measurements for the KB benchmark."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kb.encoders import Encoder
from kb.index import KnowledgeIndex
from kb.records import IndexRow


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(ms)
    return {"p50_ms": round(float(np.percentile(arr, 50)), 2), "p95_ms": round(float(np.percentile(arr, 95)), 2),
            "mean_ms": round(float(arr.mean()), 2), "n": len(arr)}


def rss_mb() -> dict[str, float]:
    """Current and peak resident memory of this process (Linux /proc)."""
    out = {}
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key = "rss_mb" if line.startswith("VmRSS") else "peak_rss_mb"
                out[key] = round(int(line.split()[1]) / 1024, 1)
    return out


def synthetic_index(base: np.ndarray, n_rows: int, rows_per_entry: int, seed: int = 0,
                    noise: float = 0.35) -> tuple[KnowledgeIndex, float]:
    """Index of ``n_rows`` randomly perturbed copies of real vectors; returns (index, build seconds)."""
    rng = np.random.default_rng(seed)
    picks = base[rng.integers(0, len(base), size=n_rows)]
    vecs = picks + rng.normal(scale=noise / np.sqrt(base.shape[1]), size=picks.shape).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rows = [IndexRow(f"syn.{i // rows_per_entry}", "", "zh") for i in range(n_rows)]
    start = time.perf_counter()
    index = KnowledgeIndex.build(rows, vecs.astype(np.float32))
    return index, time.perf_counter() - start


def synthetic_kb(kb: Any, n_entries: int, seed: int = 0, noise: float = 0.35) -> Any:
    """A KB of ``n_entries`` copies of the real entries (new ids) whose rows carry the real texts and
    perturbed real vectors: exercises the full search path (hybrid ranking, scope) at scale."""
    from dataclasses import replace as dc_replace

    from kb.knowledge_base import KnowledgeBase
    from kb.records import Product

    base_vecs, base_rows = kb.index.vectors()
    by_entry: dict[str, list[int]] = {}
    for i, row in enumerate(base_rows):
        by_entry.setdefault(row.entry_id, []).append(i)
    originals = [kb.entries[eid] for eid in sorted(by_entry)]
    rng = np.random.default_rng(seed)
    entries, rows, picks = {}, [], []
    for n in range(n_entries):
        src = originals[n % len(originals)]
        copy = dc_replace(src, sku=f"{src.sku}-S{n}") if isinstance(src, Product) else dc_replace(src, id=f"{src.id}.s{n}")
        entries[copy.id] = copy
        for i in by_entry[src.id]:
            rows.append(IndexRow(copy.id, base_rows[i].text, base_rows[i].lang, base_rows[i].source))
            picks.append(i)
    vecs = base_vecs[picks] + rng.normal(scale=noise / np.sqrt(base_vecs.shape[1]),
                                         size=(len(picks), base_vecs.shape[1])).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    big = KnowledgeBase(kb.directory, kb.encoder, default_threshold=kb.threshold, settings=kb.settings)
    big.entries = entries
    big.index = KnowledgeIndex.build(rows, vecs.astype(np.float32))
    big.manifest = dict(kb.manifest)
    big.index.term_stats()  # the service builds this at warm-up
    return big


def single_query_latency(encoder: Encoder, search: Any, queries: Sequence[str], rounds: int = 1) -> dict[str, float]:
    """Per query: encode + ``search(vector, text)``; wall-clock milliseconds."""
    times = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            vec = encoder.encode([q], kind="query")
            search(vec, q)
            times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def throughput(encoder: Encoder, texts: Sequence[str], batch: int = 32) -> float:
    """Sentences per second when encoding in batches."""
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        encoder.encode(list(texts[i:i + batch]), kind="passage")
    return len(texts) / (time.perf_counter() - start)


def scale_runs(base: np.ndarray, query_vecs: np.ndarray, sizes: Sequence[int],
               rows_per_entry: int, sentences_per_s: float) -> list[dict[str, Any]]:
    """Build time and search latency (index only) for synthetic indexes of several sizes."""
    out = []
    for entries in sizes:
        n_rows = entries * rows_per_entry
        index, seconds = synthetic_index(base, n_rows, rows_per_entry)
        times = []
        for q in query_vecs:
            start = time.perf_counter()
            index.search(q[None, :], 5)
            times.append((time.perf_counter() - start) * 1000)
        out.append({"entries": entries, "rows": n_rows, "index_build_s": round(seconds, 2),
                    "encode_estimate_s": round(n_rows / sentences_per_s, 1),
                    "total_build_estimate_s": round(seconds + n_rows / sentences_per_s, 1),
                    "search": percentiles(times), **rss_mb()})
        del index
    return out


_SERVICE_PROBE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench.kb.perf import rss_mb, synthetic_index
from kb.config import load_config
from kb.encoders import create_encoder
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files
cfg = load_config()
kb = KnowledgeBase(Path(sys.argv[2]), create_encoder(cfg.encoder, torch_threads=cfg.torch_threads, fusion_weights=cfg.fusion_weights))
kb.upsert(load_files([Path(sys.argv[1]) / "demo" / "kb"]).values())
for q in ["订单什么时候发货", "where is my parcel", "退货运费谁出"] * 5:
    kb.search(q)
out = {"demo_kb": rss_mb()}
base, _ = kb.index.vectors()
big, _ = synthetic_index(base, 10_000 * max(1, round(kb.index.row_count() / kb.count())), 6)
kb.search("退款多久到账")
out["plus_10k_entry_index"] = rss_mb()
print(json.dumps(out))
"""


def service_memory(repo_root: Path) -> dict[str, Any]:
    """RSS of a fresh process shaped like `kb serve`: production encoder + demo KB (+ a 10k index)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _SERVICE_PROBE, str(repo_root), tmp],
                              capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    import json

    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
