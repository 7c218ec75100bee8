"""KnowledgeIndex contract: exact search equals brute force, aggregation, persistence, incremental edits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.index import KnowledgeIndex, atomic_write_dir, recover_dir
from kb.records import IndexRow


def _random(n: int, dim: int, seed: int = 0) -> np.ndarray:
    vecs = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _rows(n: int, per_entry: int = 1) -> list[IndexRow]:
    return [IndexRow(f"e{i // per_entry}", f"text {i}", "zh") for i in range(n)]


def test_flat_ip_top_k_equals_numpy_brute_force() -> None:
    vecs, queries = _random(500, 64), _random(20, 64, seed=1)
    index = KnowledgeIndex.build(_rows(500), vecs)
    scores, ids = index.search_rows(queries, 10)
    brute = queries @ vecs.T
    expected = np.argsort(-brute, axis=1)[:, :10]
    assert np.array_equal(ids, expected)
    np.testing.assert_allclose(scores, np.take_along_axis(brute, expected, axis=1), rtol=1e-5)


def test_search_aggregates_rows_to_entries_by_max_score() -> None:
    vecs = _random(300, 32)
    index = KnowledgeIndex.build(_rows(300, per_entry=3), vecs)
    query = _random(1, 32, seed=5)
    hits = index.search(query, top_k=5)
    brute = (query @ vecs.T)[0].reshape(100, 3).max(axis=1)
    assert [h.entry_id for h in hits] == [f"e{i}" for i in np.argsort(-brute)[:5]]
    assert hits[0].score == pytest.approx(float(brute.max()), rel=1e-5)
    assert len({h.entry_id for h in hits}) == 5
    assert index.count() == 100 and index.row_count() == 300


def test_allow_filter_and_small_index() -> None:
    vecs = _random(10, 8)
    index = KnowledgeIndex.build(_rows(10), vecs)
    hits = index.search(vecs[3:4], top_k=3, allow={"e3", "e7"})
    assert [h.entry_id for h in hits][0] == "e3" and {h.entry_id for h in hits} <= {"e3", "e7"}
    assert KnowledgeIndex(8).search(vecs[:1], 5) == []


def test_delete_and_update_without_rebuild() -> None:
    vecs = _random(50, 16)
    index = KnowledgeIndex.build(_rows(50), vecs)
    assert index.delete(["e7", "e8", "missing"]) == 2
    assert index.count() == 48 and index.row_count() == 48
    assert "e7" not in {h.entry_id for h in index.search(vecs[7:8], top_k=50)}
    new = _random(2, 16, seed=9)
    index.update("e9", [IndexRow("e9", "a", "en"), IndexRow("e9", "b", "en")], new)
    hit = index.search(new[1:2], top_k=1)[0]
    assert (hit.entry_id, hit.matched, hit.lang) == ("e9", "b", "en")
    assert index.row_count() == 49
    with pytest.raises(ValueError, match="shape"):
        index.add([IndexRow("x", "x", "zh")], _random(1, 8))


def test_save_load_round_trip(tmp_path: Path) -> None:
    vecs = _random(40, 16)
    index = KnowledgeIndex.build(_rows(40, per_entry=2), vecs)
    index.delete(["e3"])
    index.save(tmp_path)
    loaded = KnowledgeIndex.load(tmp_path)
    assert loaded.count() == index.count() == 19 and loaded.row_count() == 38
    query = _random(3, 16, seed=2)
    for q in query:
        assert loaded.search(q[None, :], 5) == index.search(q[None, :], 5)
    loaded.add([IndexRow("new", "n", "zh")], _random(1, 16, seed=3))  # ids keep growing, no clash
    assert loaded.count() == 20


def test_atomic_write_keeps_old_directory_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "kb"
    atomic_write_dir(target, lambda d: (d / "a.txt").write_text("v1"))

    def broken(d: Path) -> None:
        (d / "a.txt").write_text("v2")
        raise RuntimeError("crash while writing")

    with pytest.raises(RuntimeError):
        atomic_write_dir(target, broken)
    assert (target / "a.txt").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["kb"]  # no temporary leftovers


def test_recover_after_crash_between_renames(tmp_path: Path) -> None:
    old = tmp_path / ".kb.old"
    old.mkdir()
    (old / "a.txt").write_text("v1")
    recover_dir(tmp_path / "kb")
    assert (tmp_path / "kb" / "a.txt").read_text() == "v1"


def test_large_index_switches_to_inverted_file_and_keeps_ids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import kb.index as index_module

    monkeypatch.setattr(index_module, "PARTITION_MIN_ROWS", 400)
    vecs = _random(600, 16, seed=3)
    rows = [IndexRow(f"e{i}", f"row {i}", "en") for i in range(600)]
    index = KnowledgeIndex.build(rows[:300], vecs[:300])
    assert not index.partitioned
    index.add(rows[300:], vecs[300:])
    assert index.partitioned and index.row_count() == 600
    agree = sum(index.search(vecs[i:i + 1], 1)[0].entry_id == f"e{i}" for i in range(0, 600, 7))
    assert agree >= 0.9 * len(range(0, 600, 7))
    index.delete(["e5"])
    assert index.row_count() == 599 and "e5" not in {h.entry_id for h in index.search(vecs[5:6], 10)}
    assert np.allclose(index.row_vectors([7])[0], vecs[7], atol=1e-6)
    index.save(tmp_path)
    again = KnowledgeIndex.load(tmp_path)
    assert again.partitioned and again.search(vecs[9:10], 1)[0].entry_id == "e9"
