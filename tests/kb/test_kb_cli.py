"""`python -m kb` end to end in subprocesses on temporary KB directories (fast hashing encoder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path, kb_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kb", *map(str, args), "--kb-dir", str(kb_dir),
                           "--encoder", "hashing"], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=120)


@pytest.fixture
def kb_dir(tmp_path: Path, fixtures: Path) -> Path:
    target = tmp_path / "kb"
    done = run("import", fixtures / "kb", fixtures / "flat.json", fixtures / "faq.csv", kb_dir=target)
    assert done.returncode == 0, done.stderr
    assert "16 added" not in done.stdout and "added" in done.stdout
    return target


def test_import_search_list_delete(kb_dir: Path) -> None:
    found = run("search", "退款几天能到银行卡", "--json", "--top-k", "3", kb_dir=kb_dir)
    result = json.loads(found.stdout)
    assert result["lang"] == "zh" and result["hits"][0]["id"] == "faq.refund.timing"
    assert len(result["hits"]) == 3
    listed = json.loads(run("list", "--json", kb_dir=kb_dir).stdout)
    assert listed["count"] == 13 and listed["manifest"]["encoder"] == "hashing"
    gone = run("delete", "faq.vip.service", kb_dir=kb_dir)
    assert gone.returncode == 0
    assert run("delete", "faq.vip.service", kb_dir=kb_dir).returncode == 1
    assert json.loads(run("list", "--json", kb_dir=kb_dir).stdout)["count"] == 12


def test_bad_file_exits_2_and_changes_nothing(kb_dir: Path, fixtures: Path) -> None:
    before = (kb_dir / "records.json").read_bytes()
    done = run("import", fixtures / "flat.json", fixtures / "bad" / "missing_answer.yaml", kb_dir=kb_dir)
    assert done.returncode == 2
    assert "missing_answer.yaml:6, record 2, field 'zh.answer'" in done.stderr
    assert "Traceback" not in done.stderr
    assert (kb_dir / "records.json").read_bytes() == before


def test_bad_file_on_fresh_dir_creates_nothing(tmp_path: Path, fixtures: Path) -> None:
    done = run("import", fixtures / "bad" / "empty_question.csv", kb_dir=tmp_path / "new")
    assert done.returncode == 2 and "field 'question'" in done.stderr
    assert not (tmp_path / "new").exists()


def test_eval_and_tune(kb_dir: Path, fixtures: Path) -> None:
    done = run("eval", "--queries", fixtures / "queries.json", "--ood", fixtures / "ood.json", "--json",
               kb_dir=kb_dir)
    report = json.loads(done.stdout)
    assert report["overall"]["n"] == 6 and 0 <= report["overall"]["recall@1"] <= 1
    assert set(report["by_lang"]) == {"zh", "en"} and "traditional" in report["by_style"]
    assert {"ood_precision", "ood_recall", "in_scope_kept"} <= set(report["scope"])
    tuned = run("tune", "--queries", fixtures / "queries.json", "--ood", fixtures / "ood.json", kb_dir=kb_dir)
    assert tuned.returncode == 0, tuned.stderr
    manifest = json.loads((kb_dir / "manifest.json").read_text())
    assert manifest["threshold"] is not None and manifest["tuning"]["mode"] == "target"


def test_eval_on_separate_faq_file_does_not_touch_the_kb(kb_dir: Path, fixtures: Path, tmp_path: Path) -> None:
    before = (kb_dir / "records.json").read_bytes()
    queries = tmp_path / "q.json"
    queries.write_text(json.dumps([{"text": "两张券能一起用吗", "gold": "faq.coupon.stack"},
                                   {"text": "combine two coupons", "gold": "faq.coupon.stack"}]))
    done = run("eval", "--faq", fixtures / "flat.json", "--queries", queries, kb_dir=kb_dir)
    assert done.returncode == 0, done.stderr
    assert "R@1=" in done.stdout
    assert (kb_dir / "records.json").read_bytes() == before


def test_eval_rejects_unknown_gold(kb_dir: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.json"
    queries.write_text(json.dumps([{"text": "hello", "gold": "faq.nope"}]))
    done = run("eval", "--queries", queries, kb_dir=kb_dir)
    assert done.returncode == 2 and "faq.nope" in done.stderr


def test_build_reencodes_from_files(kb_dir: Path, fixtures: Path) -> None:
    done = run("build", fixtures / "kb", kb_dir=kb_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads((kb_dir / "manifest.json").read_text())["count"] == 10
