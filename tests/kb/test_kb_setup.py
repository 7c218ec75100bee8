"""prepare_demo: syncs demo/kb into the KB directory, calibrates its own threshold, is quick when unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb.config import KBConfig
from kb.encoders.hashing import HashingEncoder
from kb.knowledge_base import KnowledgeBase
from kb.setup import prepare_demo
from kb.validate import LoadError


@pytest.fixture
def repo(tmp_path: Path, fixtures: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(fixtures / "kb", root / "demo" / "kb")
    (root / "bench" / "data").mkdir(parents=True)
    shutil.copy(fixtures / "queries.json", root / "bench" / "data" / "kb_queries_dev.json")
    shutil.copy(fixtures / "ood.json", root / "bench" / "data" / "kb_ood_dev.json")
    return root


def test_prepare_demo_is_idempotent_and_calibrates(repo: Path, tmp_path: Path) -> None:
    # Before issue 7 the demo's threshold was tuned on its dev queries (fitted to the demo); now every
    # KB, the demo included, calibrates its own threshold from its questions and the off-topic set.
    cfg = KBConfig(encoder="hashing")
    kb_dir = tmp_path / "var" / "kb"
    first = prepare_demo(repo, kb_dir=kb_dir, config=cfg, encoder=HashingEncoder())
    assert first["changed"] and first["count"] == 10 and first["added"] == 10
    assert first["threshold_source"] == "calibrated"
    manifest = json.loads((kb_dir / "manifest.json").read_text())
    assert manifest.get("threshold") is None and manifest["calibration"]["threshold"] == first["threshold"]
    assert manifest["calibration"]["n_offtopic"] >= 300
    second = prepare_demo(repo, kb_dir=kb_dir, config=cfg, encoder=HashingEncoder())
    assert second["changed"] is False and second["threshold"] == first["threshold"]

    faq = repo / "demo" / "kb" / "faq" / "orders.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("退款多久到账？", "退款要多久才到账？"), encoding="utf-8")
    third = prepare_demo(repo, kb_dir=kb_dir, config=cfg, encoder=HashingEncoder())
    assert third["changed"] and third["updated"] == 1 and third["added"] == 0


def test_bad_demo_file_leaves_kb_untouched(repo: Path, tmp_path: Path) -> None:
    cfg = KBConfig(encoder="hashing")
    kb_dir = tmp_path / "kb"
    prepare_demo(repo, kb_dir=kb_dir, config=cfg, encoder=HashingEncoder())
    before = (kb_dir / "records.json").read_bytes()
    (repo / "demo" / "kb" / "faq" / "broken.yaml").write_text("- id: faq.x\n  zh: {question: 问}\n", encoding="utf-8")
    with pytest.raises(LoadError, match="broken.yaml"):
        prepare_demo(repo, kb_dir=kb_dir, config=cfg, encoder=HashingEncoder())
    assert (kb_dir / "records.json").read_bytes() == before
    assert KnowledgeBase.open(kb_dir).count() == 10
