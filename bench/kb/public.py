"""Public evaluation sets from ../shared/eval turned into KB-shaped retrieval / scope tasks."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from kb.records import FaqEntry, FaqText

EVAL_DIR_NAME = "eval"


@dataclass(frozen=True)
class RetrievalTask:
    """A synthetic FAQ KB plus labelled queries (gold entry ids) and optional out-of-scope texts."""

    name: str
    entries: dict[str, FaqEntry]
    queries: list[tuple[str, str]]
    ood: list[str]


def eval_dir(repo_root: Path) -> Path | None:
    path = repo_root.parent / "shared" / EVAL_DIR_NAME
    return path if path.exists() else None


def _faq(eid: str, texts: list[str], lang: str) -> FaqEntry:
    block = FaqText(texts[0], texts[0], tuple(texts[1:]))
    return FaqEntry(eid, zh=block) if lang == "zh" else FaqEntry(eid, en=block)


def paraphrase_clusters(root: Path, max_queries: int = 1000, seed: int = 7) -> RetrievalTask | None:
    """bq_corpus + afqmc positive pairs grouped into clusters (union-find): one sentence per
    cluster is the KB question, the others are queries whose gold is that cluster."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen = False
    for name in ("bq_corpus", "afqmc"):
        path = root / name / "dev.tsv"
        if not path.exists():
            continue
        seen = True
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                a, b = (row.get("sentence1") or "").strip(), (row.get("sentence2") or "").strip()
                if not a or not b:
                    continue
                if row.get("label") == "1":
                    parent[find(a)] = find(b)
    if not seen:
        return None
    clusters: dict[str, list[str]] = {}
    for text in parent:
        clusters.setdefault(find(text), []).append(text)
    rng = random.Random(seed)
    entries: dict[str, FaqEntry] = {}
    queries: list[tuple[str, str]] = []
    for i, members in enumerate(sorted(clusters.values(), key=lambda m: m[0])):
        eid = f"c{i}"
        entries[eid] = _faq(eid, [members[0]], "zh")
        queries.extend((m, eid) for m in members[1:])
    rng.shuffle(queries)
    return RetrievalTask("bq_corpus+afqmc paraphrase clusters (zh)", entries, queries[:max_queries], [])


def clinc(root: Path, per_intent: int = 10, n_test: int = 750, n_oos: int = 750,
          seed: int = 7) -> tuple[RetrievalTask, RetrievalTask] | None:
    """CLINC150: a KB of sampled in-scope train utterances per intent; (dev task, test task)
    with in-scope queries (gold = intent) and out-of-scope queries."""
    path = root / "clinc150_oos" / "data_full.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    entries = {f"intent.{k}": _faq(f"intent.{k}", rng.sample(v, min(per_intent, len(v))), "en")
               for k, v in sorted(by_intent.items())}

    def task(split: str, oos_split: str, n: int, n_o: int) -> RetrievalTask:
        qs = [(t, f"intent.{i}") for t, i in data[split]]
        oos = [t for t, _ in data[oos_split]]
        return RetrievalTask(f"clinc150 ({split})", entries, rng.sample(qs, min(n, len(qs))),
                             rng.sample(oos, min(n_o, len(oos))))

    return task("val", "oos_val", 300, 100), task("test", "oos_test", n_test, n_oos)


def smp2017(root: Path, n: int = 600, seed: int = 7) -> list[str]:
    """Real non-shop Chinese user queries (31 domains) — out of scope for a shop KB."""
    path = root / "smp2017_ecdt_domain" / "smp2017_ecdt_task1.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        texts = [r["text"].strip() for r in csv.DictReader(fh) if r.get("text", "").strip()]
    return random.Random(seed).sample(texts, min(n, len(texts)))


def clinc_oos_only(root: Path, n: int = 600, seed: int = 7) -> list[str]:
    """CLINC150's out-of-scope test utterances (English) — out of scope for a shop KB too."""
    path = root / "clinc150_oos" / "data_full.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    texts = [t for t, _ in data["oos_test"]]
    return random.Random(seed).sample(texts, min(n, len(texts)))
