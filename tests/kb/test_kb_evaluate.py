"""Metric and threshold-tuning functions on hand-made numbers."""

from __future__ import annotations

import math

import pytest

from kb.config import ConfigError, parse_config
from kb.evaluate import retrieval_metrics, scope_metrics, tune_threshold
from kb.lang import detect_lang


def test_retrieval_metrics() -> None:
    m = retrieval_metrics([1, 2, None, 1, 6])
    assert m["recall@1"] == pytest.approx(0.4) and m["recall@5"] == pytest.approx(0.6)
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 + 1 / 6) / 5)
    assert math.isnan(retrieval_metrics([])["mrr"])


def test_scope_metrics_treat_out_of_scope_as_positive() -> None:
    m = scope_metrics([0.9, 0.8, 0.4], [0.3, 0.5, 0.7], threshold=0.6)
    assert m["ood_recall"] == pytest.approx(2 / 3)
    assert m["ood_precision"] == pytest.approx(2 / 3)
    assert m["in_scope_kept"] == pytest.approx(2 / 3)


def test_tune_meets_ood_target_and_keeps_most_in_scope() -> None:
    ins = [0.9, 0.85, 0.8, 0.75, 0.7, 0.62]
    ood = [0.3, 0.4, 0.5, 0.55, 0.6] * 4
    threshold, details = tune_threshold(ins, ood, 0.95)
    assert 0.6 < threshold <= 0.62
    assert details["ood_recall"] >= 0.95 and details["in_scope_kept"] == 1.0
    balanced, _ = tune_threshold(ins, ood, mode="balanced")
    assert 0.6 < balanced < 0.62
    with pytest.raises(ValueError):
        tune_threshold([], ood)


def test_detect_lang() -> None:
    assert detect_lang("退款多久到账") == "zh"
    assert detect_lang("where is my order") == "en"
    assert detect_lang("我的order到哪了") == "zh"
    assert detect_lang("12345") == "zh" and detect_lang("12345", default="en") == "en"


def test_config_validation() -> None:
    assert parse_config({"encoder": "use-m3", "threshold": 0.5}).encoder == "use-m3"
    with pytest.raises(ConfigError, match="encoder"):
        parse_config({"encoder": "bert"})
    with pytest.raises(ConfigError, match="unknown"):
        parse_config({"treshold": 0.5})


def test_search_settings_from_config() -> None:
    cfg = parse_config({"rank_mix": {"en": [0.6, 0.4]}, "scope_mix": [1, 0], "lexical_weight": 0.2})
    settings = cfg.search_settings()
    assert settings.mix_for("en") == (0.6, 0.4) and settings.mix_for("zh") is None
    assert settings.scope_mix == (1.0, 0.0) and settings.lexical == 0.2
    with pytest.raises(ConfigError, match="rank_mix"):
        parse_config({"rank_mix": {"fr": [1, 1]}})
    with pytest.raises(ConfigError, match="scope_mix"):
        parse_config({"scope_mix": [0, 0]})
    with pytest.raises(ConfigError, match="lexical_weight"):
        parse_config({"lexical_weight": -1})
