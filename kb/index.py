"""Exact vector index (faiss IndexIDMap2 over IndexFlatIP) mapping many rows to one entry id."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.lexical import TermStats, terms
from kb.records import IndexRow

INDEX_FILE = "index.faiss"
PARTITION_MIN_ROWS = 20_000  # from here on an inverted-file index: a flat scan is memory-bound (~30 ms at 75k rows)
NPROBE = 48
WriteFn = Callable[[Path], None]
ROWS_FILE = "rows.json"


def set_search_threads(threads: int) -> None:
    """faiss's OpenMP threads; 1 in the service, where single queries gain nothing from more and
    extra spinning threads fight the encoder for the cores (p95 latency)."""
    faiss.omp_set_num_threads(max(1, int(threads)))


class IndexLoadError(RuntimeError):
    """The index directory is missing, inconsistent, or was built for another encoder."""


@dataclass(frozen=True)
class RowHit:
    """One matching entry: best score over its rows and the row text that scored it."""

    entry_id: str
    score: float
    matched: str
    lang: str
    row: int = -1


class KnowledgeIndex:
    """Inner-product index (exact below PARTITION_MIN_ROWS rows, inverted-file above); rows carry
    (entry id, text, lang) and search aggregates by entry."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._rows: dict[int, IndexRow] = {}
        self._by_entry: dict[str, list[int]] = {}
        self._next_id = 0
        self._terms: dict[int, set[str]] | None = None  # lexical terms per row, built on first use
        self._stats = TermStats()

    # ----- contract -----
    @classmethod
    def build(cls, rows: Sequence[IndexRow], vectors: np.ndarray) -> KnowledgeIndex:
        """A new index holding ``rows`` with their (normalised) ``vectors``."""
        index = cls(int(vectors.shape[1]) if len(vectors) else 0)
        index.add(rows, vectors)
        return index

    def count(self) -> int:
        """Number of distinct entries."""
        return len(self._by_entry)

    def row_count(self) -> int:
        """Number of embedded rows."""
        return int(self._index.ntotal)

    def entry_ids(self) -> list[str]:
        return sorted(self._by_entry)

    def add(self, rows: Sequence[IndexRow], vectors: np.ndarray) -> None:
        """Append rows; vectors must be float32 with one row per IndexRow."""
        if len(rows) == 0:
            return
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[0] != len(rows) or vecs.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape ({len(rows)}, {self.dim}), got {vecs.shape}")
        ids = np.arange(self._next_id, self._next_id + len(rows), dtype=np.int64)
        self._index.add_with_ids(vecs, ids)
        self._partition_if_large()
        for row_id, row in zip(ids.tolist(), rows, strict=False):
            self._rows[row_id] = row
            self._by_entry.setdefault(row.entry_id, []).append(row_id)
            if self._terms is not None:
                self._terms[row_id] = terms(row.text)
                self._stats.add([self._terms[row_id]])
        self._next_id += len(rows)

    @property
    def partitioned(self) -> bool:
        """True once the index switched to an inverted file (approximate, nprobe = NPROBE)."""
        return isinstance(self._index, faiss.IndexIVF)

    def _partition_if_large(self) -> None:
        """Move a large flat index into an IndexIVFFlat (trained on its own vectors; ids kept)."""
        total = self.row_count()
        if self.partitioned or total < PARTITION_MIN_ROWS:
            return
        flat = faiss.downcast_index(self._index.index)
        vecs = faiss.rev_swig_ptr(flat.get_xb(), total * self.dim).reshape(total, self.dim).copy()  # type: ignore[attr-defined]
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        nlist = int(4 * np.sqrt(total))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vecs[np.random.default_rng(0).permutation(total)[: nlist * 40]]
        ivf.train(sample)  # type: ignore[call-arg]
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        ivf.add_with_ids(vecs, ids)  # type: ignore[call-arg]
        ivf.nprobe = NPROBE
        self._index = ivf  # type: ignore[assignment]

    def delete(self, entry_ids: Sequence[str]) -> int:
        """Remove every row of the given entries; returns how many of them were present."""
        present = [eid for eid in dict.fromkeys(entry_ids) if eid in self._by_entry]
        row_ids = [rid for eid in present for rid in self._by_entry[eid]]
        if row_ids:
            self._index.remove_ids(np.asarray(row_ids, dtype=np.int64))  # type: ignore[arg-type]
        for eid in present:
            for rid in self._by_entry.pop(eid):
                del self._rows[rid]
                if self._terms is not None:
                    self._stats.remove([self._terms.pop(rid)])
        return len(present)

    # ----- lexical side (hybrid ranking) -----
    def term_stats(self) -> TermStats:
        """Document frequencies over all rows (computed on first use, then kept up to date)."""
        self._ensure_terms()
        return self._stats

    def entry_terms(self, entry_id: str) -> list[set[str]]:
        """Lexical term sets of one entry's rows."""
        found = self._ensure_terms()
        return [found[rid] for rid in self._by_entry.get(entry_id, ())]

    def _ensure_terms(self) -> dict[int, set[str]]:
        if self._terms is None:
            self._terms = {rid: terms(row.text) for rid, row in self._rows.items()}
            self._stats = TermStats()
            self._stats.add(self._terms.values())
        return self._terms

    def entry_row_ids(self, entry_id: str) -> list[int]:
        """Row ids of one entry (empty if unknown)."""
        return list(self._by_entry.get(entry_id, ()))

    def row(self, row_id: int) -> IndexRow:
        return self._rows[row_id]

    def row_vectors(self, row_ids: Sequence[int]) -> np.ndarray:
        """Stored vectors of the given rows."""
        if not row_ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(np.asarray(row_ids, dtype=np.int64)), dtype=np.float32)

    def update(self, entry_id: str, rows: Sequence[IndexRow], vectors: np.ndarray) -> None:
        """Replace the rows of one entry."""
        self.delete([entry_id])
        self.add(rows, vectors)

    def search_rows(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw faiss search: (scores, row ids), -1 ids for missing results."""
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, max(self.row_count(), 1)))
        return self._index.search(q, k)

    def search(self, query: np.ndarray, top_k: int = 5,
               allow: set[str] | None = None) -> list[RowHit]:
        """Top entries by max row score; ``allow`` restricts to a set of entry ids."""
        total = self.row_count()
        if total == 0 or top_k <= 0:
            return []
        k = min(total, max(top_k * 8, 32))
        while True:
            scores, ids = self.search_rows(query, k)
            best: dict[str, RowHit] = {}
            for score, rid in zip(scores[0].tolist(), ids[0].tolist(), strict=False):
                if rid < 0:
                    continue
                row = self._rows[rid]
                if allow is not None and row.entry_id not in allow:
                    continue
                if row.entry_id not in best:
                    best[row.entry_id] = RowHit(row.entry_id, float(score), row.text, row.lang, int(rid))
            if len(best) >= top_k or k >= total:
                break
            k = min(total, k * 4)
        return sorted(best.values(), key=lambda h: -h.score)[:top_k]

    def row_ids(self) -> list[int]:
        """Every row id, ascending (the order of ``vectors``)."""
        return sorted(self._rows)

    def vectors(self) -> tuple[np.ndarray, list[IndexRow]]:
        """All stored vectors and their rows (for brute-force checks and re-export)."""
        ids = sorted(self._rows)
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32), []
        vecs = np.vstack([self._index.reconstruct(int(i)) for i in ids])
        return vecs, [self._rows[i] for i in ids]

    # ----- persistence -----
    def save(self, directory: Path) -> None:
        """Write index.faiss and rows.json into ``directory`` (which must exist)."""
        faiss.write_index(self._index, str(directory / INDEX_FILE))
        rows = [{"row": rid, "entry_id": r.entry_id, "text": r.text, "lang": r.lang, "source": r.source}
                for rid, r in sorted(self._rows.items())]
        payload = {"dim": self.dim, "next_id": self._next_id, "rows": rows}
        (directory / ROWS_FILE).write_text(json.dumps(payload, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> KnowledgeIndex:
        """Read an index saved by ``save``; checks rows and vectors agree."""
        try:
            payload = json.loads((directory / ROWS_FILE).read_text(encoding="utf-8"))
            raw = faiss.read_index(str(directory / INDEX_FILE))
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexLoadError(f"cannot read index in {directory}: {exc}") from None
        index = cls(int(payload["dim"]))
        index._index = raw  # type: ignore[assignment]
        if isinstance(raw, faiss.IndexIVF):
            raw.nprobe = NPROBE
        index._next_id = int(payload["next_id"])
        for item in payload["rows"]:
            row = IndexRow(item["entry_id"], item["text"], item["lang"], item.get("source", "question"))
            index._rows[int(item["row"])] = row
            index._by_entry.setdefault(row.entry_id, []).append(int(item["row"]))
        if index.row_count() != len(index._rows):
            raise IndexLoadError(f"{directory}: {index.row_count()} vectors but {len(index._rows)} rows")
        return index


def atomic_write_dir(target: Path, write: WriteFn) -> None:
    """Write a directory atomically: fill a temporary sibling, then swap it into place.

    If ``write`` raises, the existing ``target`` is untouched. A crash between the two
    renames leaves ``<target>.old`` which ``recover_dir`` puts back.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        write(tmp)
        for child in tmp.iterdir():
            if child.is_file():
                with child.open("rb") as fh:
                    os.fsync(fh.fileno())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: Path) -> None:
    """Put back ``<target>.old`` if a crash happened between the two renames of atomic_write_dir."""
    old = target.parent / f".{target.name}.old"
    if not target.exists() and old.exists():
        old.rename(target)
