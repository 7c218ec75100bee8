"""MissLog: grouping of near-identical queries, ordering, time window, persistence and concurrent writers."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kb.misses import MissLog, MissQueryError, misses_path, normalise, parse_top_args, record_result

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("a, b", [
    ("Where is my parcel??", "where is my  parcel"),
    ("能开专票吗？", "能开专票吗"),
    ("ＡＢＣ　发票！", "abc 发票"),
    ("  hello\tworld ", "HELLO WORLD"),
])
def test_normalise_folds_near_identical_queries(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_normalise_keeps_different_questions_apart() -> None:
    assert normalise("能开专票吗") != normalise("能开普票吗")
    assert normalise("!!!") == ""


def test_top_groups_counts_and_orders(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "misses.db")
    log.record("能开专票吗？", "zh", "faq.invoice", 0.41, T0)
    log.record("能开专票吗", "zh", "faq.invoice", 0.43, T0 + timedelta(minutes=5))
    log.record("能开 专票吗!", "zh", "faq.invoice.paper", 0.45, T0 + timedelta(minutes=9))
    log.record("Do you ship to Mars?", "en", None, None, T0 + timedelta(minutes=1))
    log.record("do you ship to mars", "en", "faq.shipping", 0.2, T0 + timedelta(minutes=2))
    log.record("sofa colours", "en", "product.S1", 0.5, T0 + timedelta(minutes=30))
    top = log.top(limit=10)
    assert [(s.count, s.norm) for s in top] == [(3, "能开专票吗"), (2, "do you ship to mars"), (1, "sofa colours")]
    first = top[0]
    assert first.query == "能开 专票吗!" and first.top_id == "faq.invoice.paper" and first.top_score == 0.45
    assert first.first_seen == T0 and first.last_seen == T0 + timedelta(minutes=9)
    assert first.lang == "zh"
    assert top[1].query == "do you ship to mars"
    assert len(log.top(limit=1)) == 1
    with pytest.raises(ValueError):
        log.top(limit=0)


def test_ties_prefer_the_most_recent(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "m.db")
    log.record("old question", "en", None, None, T0)
    log.record("new question", "en", None, None, T0 + timedelta(hours=1))
    assert [s.query for s in log.top()] == ["new question", "old question"]


def test_since_limits_the_window(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "m.db")
    log.record("a", "en", None, None, T0)
    log.record("a", "en", None, None, T0 + timedelta(days=2))
    log.record("b", "en", None, None, T0 + timedelta(days=3))
    recent = log.top(since=T0 + timedelta(days=1))
    assert {(s.norm, s.count) for s in recent} == {("a", 1), ("b", 1)}
    assert next(s for s in recent if s.norm == "a").first_seen == T0 + timedelta(days=2)


def test_blank_and_naive_inputs(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "m.db")
    assert log.record("？？？", "zh", None, None, T0) is None
    assert log.count() == 0
    with pytest.raises(ValueError):
        log.record("x", "en", None, None, datetime(2026, 1, 1))
    long = log.record("x" * 2000, "en", None, None, T0)
    assert long is not None and len(long.query) == 500


def test_records_are_frozen_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "kb" / "misses.db"
    miss = MissLog(path).record("退货地址是哪里", "zh", "faq.return.address", 0.58, T0)
    assert miss is not None
    with pytest.raises(AttributeError):
        miss.query = "changed"  # type: ignore[misc]
    again = MissLog(path).top()
    assert len(again) == 1 and again[0].query == "退货地址是哪里" and again[0].count == 1
    assert again[0].to_dict()["last_seen"] == "2026-11-11T00:00:00+00:00"


def test_two_threads_append_without_losing_rows(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "m.db")
    errors: list[BaseException] = []

    def writer(text: str) -> None:
        try:
            for i in range(100):
                log.record(text, "en", None, None, T0 + timedelta(seconds=i))
                log.top(limit=5)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("left question", "right question")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert log.count() == 200
    assert sorted(s.count for s in log.top()) == [100, 100]


def _process_writer(path: str, text: str) -> None:
    log = MissLog(Path(path))
    for i in range(50):
        log.record(text, "zh", None, None, T0 + timedelta(seconds=i))


def test_two_processes_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(str(path), t)) for t in ("甲问题", "乙问题")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert MissLog(path).count() == 100


def test_record_result_keeps_only_out_of_scope_searches(tmp_path: Path) -> None:
    log = MissLog(tmp_path / "m.db")
    hit = {"id": "faq.refund.timing", "score": 0.41}
    assert record_result(log, {"query": "退款多久", "lang": "zh", "in_scope": True, "hits": [hit]}) is None
    miss = record_result(log, {"query": "火星快递", "lang": "zh", "in_scope": False, "hits": [hit]}, T0)
    empty = record_result(log, {"query": "xyzzy", "lang": "en", "in_scope": False, "hits": []}, T0)
    assert miss is not None and (miss.top_id, miss.top_score, miss.lang) == ("faq.refund.timing", 0.41, "zh")
    assert empty is not None and empty.top_id is None and empty.top_score is None
    assert log.count() == 2


@pytest.mark.parametrize("args, expected", [
    ({}, (50, None)),
    ({"limit": "5", "since": "2026-11-11T08:00:00+08:00"}, (5, T0)),
])
def test_parse_top_args(args: dict[str, str], expected: tuple[int, datetime | None]) -> None:
    assert parse_top_args(args) == expected


@pytest.mark.parametrize("args, field", [
    ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"), ({"limit": "501"}, "limit"),
    ({"since": "yesterday"}, "since"), ({"since": "2026-11-11T00:00:00"}, "since"),
])
def test_parse_top_args_names_the_bad_parameter(args: dict[str, str], field: str) -> None:
    with pytest.raises(MissQueryError) as err:
        parse_top_args(args)
    assert err.value.field == field


def test_the_log_survives_kb_saves_beside_the_kb_directory(tmp_path: Path, fixtures: Path) -> None:
    pytest.importorskip("faiss")
    from kb.encoders.hashing import HashingEncoder
    from kb.knowledge_base import KnowledgeBase
    from kb.loaders import load_files

    kb_dir = tmp_path / "kb"
    kb = KnowledgeBase.open(kb_dir, HashingEncoder())
    kb.upsert(load_files([fixtures / "kb"]).values())
    kb.save()
    beside, inside = MissLog(misses_path(kb_dir)), MissLog(kb_dir / "misses.db")
    beside.record("火星快递", "zh", None, None, T0)
    inside.record("火星快递", "zh", None, None, T0)
    kb.delete(["faq.refund.timing"])
    kb.save()  # swaps the whole directory (atomic_write_dir)
    assert misses_path(kb_dir) == tmp_path / "kb.misses.db"
    assert MissLog(misses_path(kb_dir)).count() == 1
    assert MissLog(kb_dir / "misses.db").count() == 0  # why the log does not live inside the KB directory
