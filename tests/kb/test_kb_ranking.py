"""Lexical terms, hybrid ranking, product-name hits and the anchor-margin scope score."""

from __future__ import annotations

import numpy as np
import pytest

from kb.encoders.fused import FusedEncoder
from kb.encoders.hashing import HashingEncoder
from kb.lexical import TermStats, best_coverage, terms
from kb.ranking import SearchSettings, hybrid_scores, name_hits, name_index, product_name_terms
from kb.records import Product, ProductText
from kb.scope import load_anchors, member_layout, mixed_cosine, scope_score


def test_terms_cover_words_bigrams_and_traditional() -> None:
    zh = terms("退款多久到账")
    assert {"退款", "到账", "多久"} <= zh and "款多" in zh
    assert terms("退款多久到賬") == zh
    assert terms("Refunds to my card") == {"refund", "card"}


def test_coverage_weights_rare_terms() -> None:
    rows = [terms(t) for t in ("退款多久到账", "退货运费谁出", "发票怎么开", "订单什么时候发货")]
    stats = TermStats()
    stats.add(rows)
    assert best_coverage(terms("退款多久"), rows[:1], stats) > best_coverage(terms("退款多久"), rows[1:], stats)
    assert best_coverage(terms("天气"), rows, stats) == 0.0
    stats.remove(rows[:1])
    assert stats.n_rows == 3 and "到账" not in stats.df


def _sofa() -> Product:
    return Product("SOFA-1", "furniture", 6999.0, zh=ProductText("卢娜真皮沙发"), en=ProductText("Luna leather sofa"))


def test_product_named_in_query_gets_the_bonus() -> None:
    sofa = _sofa()
    assert "卢娜" in product_name_terms(sofa) and all(not t.isascii() for t in product_name_terms(sofa))
    stats = TermStats()
    stats.add([terms("卢娜真皮沙发"), terms("退货运费谁出"), terms("尺码怎么选")])
    hits = name_hits(terms("卢娜有几个颜色"), name_index({sofa.id: sofa}), stats)
    assert set(hits) == {"product.SOFA-1"} and 0 < hits["product.SOFA-1"] <= 1
    dense = {"faq.colour": 0.85, "product.SOFA-1": 0.83}
    plain = hybrid_scores(dense, terms("卢娜有几个颜色"), {}, {}, stats, SearchSettings(0, 0))
    boosted = hybrid_scores(dense, terms("卢娜有几个颜色"), {}, hits, stats, SearchSettings(0, 0.1))
    assert max(plain, key=plain.__getitem__) == "faq.colour"
    assert max(boosted, key=boosted.__getitem__) == "product.SOFA-1"


def test_mixed_cosine_undoes_fusion_weights() -> None:
    a, b = HashingEncoder(8), HashingEncoder(16)
    fused = FusedEncoder([a, b], weights=[0.8, 0.2])
    layout = member_layout(fused)
    assert [(s.start, s.stop, round(w, 2)) for s, w in layout] == [(0, 8, 0.8), (8, 24, 0.2)]
    q, rows = fused.encode(["退款多久到账"]), fused.encode(["退款多久到账", "明天天气"])
    same = mixed_cosine(q, rows, layout, (0.5, 0.5))
    assert same[0] == pytest.approx(1.0, abs=1e-5) and same[1] < 1.0
    only_b = mixed_cosine(q, rows, layout, (0.0, 1.0))
    assert only_b[1] == pytest.approx(float(b.encode(["退款多久到账"])[0] @ b.encode(["明天天气"])[0]), abs=1e-5)
    assert member_layout(a) == [(slice(0, 8), 1.0)]


def test_scope_score_is_margin_over_anchors() -> None:
    enc = HashingEncoder()
    anchors = enc.encode(["明天天气怎么样", "讲个笑话"])
    layout = member_layout(enc)
    weather = enc.encode(["明天天气怎么样"])[0]
    assert scope_score(0.7, weather, anchors, layout, (1.0,)) == pytest.approx(-0.3, abs=1e-5)
    assert scope_score(0.7, weather, None, layout, (1.0,)) == 0.7
    assert len(load_anchors()) >= 40


class TopicalHashing(HashingEncoder):
    """The hashing encoder declared semantic, so the KB uses the out-of-scope anchors with it."""

    semantic = True


def test_anchors_are_saved_with_the_kb(tmp_path, fixtures) -> None:  # type: ignore[no-untyped-def]
    from kb.knowledge_base import KnowledgeBase
    from kb.loaders import load_files

    plain = KnowledgeBase.open(tmp_path / "plain", HashingEncoder())
    plain.upsert(load_files([fixtures / "kb"]).values())
    assert plain.anchor_vectors() is None  # spelling similarity says nothing about topic
    kb = KnowledgeBase.open(tmp_path / "kb", TopicalHashing())
    kb.upsert(load_files([fixtures / "kb"]).values())
    result = kb.search("明天天气怎么样")
    assert result["scope_score"] < kb.search("退款多久到账")["scope_score"]
    kb.save()
    again = KnowledgeBase.open(tmp_path / "kb", TopicalHashing())
    assert again.manifest["scope_anchors"]["encoder"] == "hashing"
    assert np.array_equal(again.anchor_vectors(), kb.anchor_vectors())  # type: ignore[arg-type]
