"""Imports accept a shop export's extra columns with a warning and keep category columns as tags;
a bad required field still fails with file/line/field and leaves the existing KB untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.cli import warning_lines
from kb.loaders import load_files, load_files_with_warnings
from kb.records import FaqEntry
from kb.validate import LoadError

REPO = Path(__file__).resolve().parents[2]

EXPORT = (
    "id,topic,lang,question,answer,owner\n"
    "faq.returns,售后,zh,能退货吗,签收7天内未拆封可以退。,小王\n"
    "faq.returns,售后,en,Can I return it?,Unopened items within 7 days.,小王\n"
    "faq.invoice,发票|财务,zh,能开发票吗,可以开电子发票。,\n"
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_extra_columns_warn_and_topic_becomes_tags(tmp_path: Path) -> None:
    entries, warnings = load_files_with_warnings([_write(tmp_path / "export.csv", EXPORT)])
    returns, invoice = entries["faq.returns"], entries["faq.invoice"]
    assert isinstance(returns, FaqEntry) and returns.en is not None and returns.tags == ("售后",)
    assert invoice.tags == ("发票", "财务")
    unknown = [w for w in warnings if w.field == "owner"]
    assert [(w.line, w.record) for w in unknown] == [(2, 1), (3, 2)]  # the empty cell on line 4 is no field
    assert "unknown field" in unknown[0].message and "export.csv:2" in str(unknown[0])
    topics = [w for w in warnings if w.field == "topic"]
    assert len(topics) == 3 and "发票, 财务" in topics[2].message


@pytest.mark.parametrize("column", ["category", "分类", "类目"])
def test_other_category_column_names_map_to_tags(tmp_path: Path, column: str) -> None:
    path = _write(tmp_path / "f.json", json.dumps(
        [{"id": "faq.a", "question": "运费险怎么赔", "answer": "自动理赔。", column: "运费险"}], ensure_ascii=False))
    assert load_files([path])["faq.a"].tags == ("运费险",)


def test_yaml_unknown_field_warns_with_its_own_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "faq.yaml", (
        "- id: faq.a\n"
        "  tags: [x]\n"
        "  reviewed_by: lead\n"
        "  zh:\n"
        "    question: 能开发票吗\n"
        "    answer: 可以。\n"
        "    note: internal\n"))
    entries, warnings = load_files_with_warnings([path])
    assert entries["faq.a"].tags == ("x",)
    assert {(w.field, w.line) for w in warnings} == {("reviewed_by", 3), ("zh.note", 7)}


def test_warnings_are_grouped_per_field() -> None:
    from kb.validate import LoadWarning

    many = [LoadWarning("big.csv", i, i + 1, "topic", "imported as tag(s) x") for i in range(1, 11)]
    lines = warning_lines(many)
    assert len(lines) == 4 and "7 more record(s)" in lines[-1] and "big.csv:2" in lines[0]


def test_bad_required_field_still_fails_with_location(tmp_path: Path) -> None:
    bad = EXPORT + "faq.broken,售后,zh,,没有问题的答案,\n"
    with pytest.raises(LoadError) as info:
        load_files([_write(tmp_path / "export.csv", bad)])
    assert (info.value.line, info.value.field) == (5, "question")


def _cli(*args: str | Path, kb_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kb", *map(str, args), "--kb-dir", str(kb_dir),
                           "--encoder", "hashing"], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def test_cli_imports_export_with_warnings_and_refuses_bad_one(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    done = _cli("import", _write(tmp_path / "export.csv", EXPORT), kb_dir=kb_dir)
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "field 'owner'" in done.stderr and "export.csv:2" in done.stderr
    before = (kb_dir / "records.json").read_bytes()
    broken = _write(tmp_path / "broken.csv", EXPORT.replace("可以开电子发票。", ""))
    failed = _cli("import", broken, kb_dir=kb_dir)
    assert failed.returncode == 2 and "broken.csv:4" in failed.stderr and "field 'answer'" in failed.stderr
    assert (kb_dir / "records.json").read_bytes() == before
