"""Automatic per-KB threshold (leave-one-out questions vs the shipped off-topic set), its precedence,
answer rows, and the named-product scope rule — on real KBs with the fast hashing encoder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kb.calibrate import CalibrationRule, choose_threshold, load_offtopic, offtopic_cut
from kb.encoders.hashing import HashingEncoder
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files
from kb.ranking import SearchSettings
from kb.records import FaqEntry, FaqText, Product, ProductText, answer_chunks, index_rows

RULE = CalibrationRule(offtopic_rejected=0.97, loo_kept=0.95)


def test_offtopic_set_is_broad_and_bilingual() -> None:
    texts = load_offtopic()
    assert len(texts) >= 300 and len(set(texts)) == len(texts)
    assert sum(1 for t in texts if t.isascii()) >= 100 and sum(1 for t in texts if not t.isascii()) >= 100


def test_cut_rejects_the_required_share() -> None:
    off = [i / 100 for i in range(100)]  # 0.00 … 0.99
    cut = offtopic_cut(off, 0.97)
    assert sum(s < cut for s in off) >= 97 and sum(s < cut - 0.02 for s in off) < 97


def test_threshold_is_the_midpoint_of_offtopic_cut_and_loo_keep_point() -> None:
    off = [0.1] * 95 + [0.3] * 5
    cut = offtopic_cut(off, 0.97)
    high_loo = [0.8] * 100
    t, details = choose_threshold(high_loo, off, RULE)
    assert t == pytest.approx((cut + 0.8) / 2) and details["offtopic_rejected"] == 1.0 and details["loo_kept"] == 1.0
    low_loo = [0.2 + i / 250 for i in range(100)]  # few questions, no paraphrases: drifting towards off-topic
    t_low, low = choose_threshold(low_loo, off, RULE)
    keep = low["loo_keep_point"]
    assert keep < t_low < cut and t_low == pytest.approx((cut + keep) / 2, abs=1e-4)
    assert low["loo_kept"] > 0.8 and low["offtopic_rejected"] == 0.95
    with pytest.raises(ValueError):
        choose_threshold(high_loo, [], RULE)


def _kb(tmp_path: Path, fixtures: Path, **kw: object) -> KnowledgeBase:
    kb = KnowledgeBase.open(tmp_path / "kb", HashingEncoder(), calibration=RULE, **kw)  # type: ignore[arg-type]
    kb.upsert(load_files([fixtures / "kb", fixtures / "flat.json", fixtures / "faq.csv"]).values())
    kb.save()
    return KnowledgeBase.open(tmp_path / "kb", HashingEncoder(), calibration=RULE, **kw)  # type: ignore[arg-type]


def test_save_calibrates_and_search_uses_it(tmp_path: Path, fixtures: Path) -> None:
    kb = _kb(tmp_path, fixtures)
    cal = kb.manifest["calibration"]
    assert kb.threshold_source == "calibrated" and kb.threshold == pytest.approx(cal["threshold"], abs=1e-4)
    assert cal["n_offtopic"] == len(load_offtopic()) and cal["n_loo"] > 10
    assert kb.search("退款多久到账")["threshold"] == pytest.approx(cal["threshold"], abs=1e-4)
    assert (tmp_path / "kb" / "offtopic.npy").exists()
    stamp = cal["stamp"]
    kb.upsert([FaqEntry("faq.new", zh=FaqText("可以开专票吗", "可以，请提供税号。"))])
    kb.save()
    assert kb.manifest["calibration"]["stamp"] != stamp  # content changed: recalibrated


def test_config_override_and_tuned_threshold_win(tmp_path: Path, fixtures: Path) -> None:
    kb = _kb(tmp_path, fixtures, threshold_override=0.33)
    assert kb.threshold == 0.33 and kb.threshold_source == "config"
    plain = KnowledgeBase.open(tmp_path / "kb", HashingEncoder(), calibration=RULE)
    plain.set_threshold(0.44, {"mode": "target"})
    assert plain.threshold == 0.44 and plain.threshold_source == "tuned"


def test_leave_one_out_really_leaves_the_row_out(tmp_path: Path, fixtures: Path) -> None:
    kb = _kb(tmp_path, fixtures)
    assert kb.index is not None
    rid = next(r for e in kb.index.entry_ids() for r in kb.index.entry_row_ids(e)
               if kb.index.row(r).source == "question")
    row = kb.index.row(rid)
    vec = kb.index.row_vectors([rid])
    with_row = kb.search_vector(vec, row.text, top_k=1)
    without = kb.search_vector(vec, row.text, top_k=1, exclude_row=rid)
    assert with_row["scope_score"] == pytest.approx(1.0, abs=1e-3) and without["scope_score"] < 0.999


def test_answer_rows_find_what_only_the_answer_says(tmp_path: Path) -> None:
    entry = FaqEntry("faq.ship", zh=FaqText("能发顺丰吗", "默认发中通或者韵达快递，偏远地区发邮政。需要顺丰的补8元差价，下单后联系客服备注。"))
    other = FaqEntry("faq.inv", zh=FaqText("能开发票吗", "可以开电子发票。"))
    assert [r.source for r in index_rows(entry, "sentences")] == ["question", "answer", "answer"]
    assert index_rows(entry, "none") == entry.rows()
    assert answer_chunks("亲，可以。需要顺丰的补8元差价。") == ["亲，可以。需要顺丰的补8元差价。"]  # short piece joins the next
    kb = KnowledgeBase(tmp_path / "a", HashingEncoder(), settings=SearchSettings(answer_rows="sentences"))
    kb.upsert([entry, other])
    assert kb.search("补差价要多少元")["hits"][0]["id"] == "faq.ship"
    assert kb.manifest["row_layout"] == {"answers": "sentences"}
    kb.settings = dataclasses.replace(kb.settings, answer_rows="none")  # another layout: re-encoded on upsert
    kb.upsert([other])
    assert kb.index is not None and {kb.index.row(r).source for e in kb.index.entry_ids()
                                     for r in kb.index.entry_row_ids(e)} == {"question"}


def test_named_top_product_is_in_scope_whatever_the_wording(tmp_path: Path) -> None:
    cooker = Product("RC-4", "appliance", 399.0, stock=5, zh=ProductText("智能IH电饭煲 4L", "IH加热",
                                                                        (("容量", "4升"),)))
    faq = FaqEntry("faq.inv", zh=FaqText("能开发票吗", "可以开电子发票。"))
    strict = SearchSettings(anchors=False, product_named_in_scope=True)
    kb = KnowledgeBase(tmp_path / "p", HashingEncoder(), settings=strict, threshold_override=0.99)
    kb.upsert([cooker, faq])
    named = kb.search("电饭煲够几个人吃", kinds=["product"])
    assert named["hits"][0]["id"] == "product.RC-4" and named["scope_score"] < 0.99 and named["in_scope"]
    assert not kb.search("发票抬头怎么写")["in_scope"]  # no product named: the threshold decides
    off = KnowledgeBase(tmp_path / "q", HashingEncoder(), settings=dataclasses.replace(strict, product_named_in_scope=False),
                        threshold_override=0.99)
    off.upsert([cooker, faq])
    assert not off.search("电饭煲够几个人吃", kinds=["product"])["in_scope"]


def test_vectorised_scores_match_the_search_path(tmp_path: Path, fixtures: Path) -> None:
    from kb.calibrate import loo_scores, question_rows

    kb = _kb(tmp_path, fixtures)
    assert kb.index is not None
    rows = question_rows(kb, 50)
    fast = loo_scores(kb, rows)
    slow = [kb.search_vector(kb.index.row_vectors([r]), kb.index.row(r).text, top_k=1, lang=kb.index.row(r).lang,
                             exclude_row=r)["scope_score"] for r in rows]
    close = sum(1 for a, b in zip(fast, slow, strict=True) if abs(a - b) < 1e-3)
    assert close >= 0.9 * len(rows)  # the search path only re-scores its top candidates
