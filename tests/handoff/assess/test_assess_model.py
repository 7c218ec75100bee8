"""Emotion model: training data validity, lexicon fallback, and (with the real encoder) train → score."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.assess import LexiconScorer, load_config
from handoff.assess.model import load_scorer, read_meta
from handoff.assess.paths import training_data_path
from handoff.assess.train import TrainingDataError, ensure_model, read_examples


def test_training_data_is_big_enough_and_bilingual() -> None:
    examples = read_examples(training_data_path())
    zh = [e for e in examples if e.lang == "zh"]
    en = [e for e in examples if e.lang == "en"]
    assert len(zh) >= 400 and len(en) >= 200
    assert {e.label for e in zh} == {0, 1} and {e.label for e in en} == {0, 1}


def test_bad_training_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"text": "ok", "label": 0, "lang": "zh"}\n{"text": "x", "label": 3, "lang": "zh"}\n', encoding="utf-8")
    with pytest.raises(TrainingDataError, match=r"train\.jsonl:2: label"):
        read_examples(path)


def test_missing_model_falls_back_to_lexicon(tmp_path: Path) -> None:
    scorer = load_scorer(tmp_path / "none.npz", load_config().anger.swearing)
    assert isinstance(scorer, LexiconScorer)
    calm, angry = scorer.score(["请问有M码吗", "太差劲了，到底怎么回事，别敷衍我"])
    assert angry > calm


@pytest.mark.encoder
def test_train_is_idempotent_and_separates(tmp_path: Path) -> None:
    model_path = tmp_path / "emotion.npz"
    ensure_model(model_path)
    first = model_path.stat().st_mtime_ns
    ensure_model(model_path)
    assert model_path.stat().st_mtime_ns == first  # same data → not retrained
    assert read_meta(model_path)["examples"] >= 600
    scorer = load_scorer(model_path, load_config().anger.swearing)
    calm, angry = scorer.score(["你好，请问这件衣服有黑色吗", "你们这些骗子，收了钱不发货，气死我了"])
    assert calm < 0.5 < angry
