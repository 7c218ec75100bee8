"""Encoders: Q4_0 decoding, the rebuilt e5 folder, USE, fused; traditional Chinese equals simplified."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb.encoders import prepare_texts, to_simplified
from kb.encoders.e5_build import BUILD_STAMP, dequantise_q4_0, is_built
from kb.encoders.fused import FusedEncoder
from kb.encoders.hashing import HashingEncoder
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files


def test_q4_0_block_layout() -> None:
    scale = np.array([0.5], dtype=np.float16).tobytes()
    low = np.arange(16, dtype=np.uint8)          # weights 0..15 -> nibble - 8
    high = (15 - np.arange(16, dtype=np.uint8))  # weights 16..31
    block = scale + (low | (high << 4)).astype(np.uint8).tobytes()
    values = dequantise_q4_0(block, 32)
    assert values[:16].tolist() == [(i - 8) * 0.5 for i in range(16)]
    assert values[16:].tolist() == [(15 - i - 8) * 0.5 for i in range(16)]


def test_text_preparation() -> None:
    assert to_simplified("退貨運費誰出") == "退货运费谁出"
    assert prepare_texts(["  a \n b "]) == ["a b"]
    with pytest.raises(TypeError):
        prepare_texts("not a list")  # type: ignore[arg-type]


def test_fused_is_weighted_concatenation() -> None:
    a, b = HashingEncoder(32), HashingEncoder(16)
    fused = FusedEncoder([a, b])
    vecs = fused.encode(["退款", "refund"])
    assert vecs.shape == (2, 48) and fused.dim == 48
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    expected = (a.encode(["退款"]) @ a.encode(["refund"]).T + b.encode(["退款"]) @ b.encode(["refund"]).T) / 2
    assert float(vecs[0] @ vecs[1]) == pytest.approx(float(expected[0, 0]), abs=1e-5)
    weighted = FusedEncoder([a, b], weights=[3, 1]).encode(["退款", "refund"])
    expected = (3 * a.encode(["退款"]) @ a.encode(["refund"]).T + b.encode(["退款"]) @ b.encode(["refund"]).T) / 4
    assert float(weighted[0] @ weighted[1]) == pytest.approx(float(expected[0, 0]), abs=1e-5)
    np.testing.assert_allclose(np.linalg.norm(weighted, axis=1), 1.0, rtol=1e-5)


@pytest.mark.encoder
def test_model_folder_is_built_and_verified(model_dir: Path) -> None:
    assert is_built(model_dir) and (model_dir / BUILD_STAMP).exists()
    assert (model_dir / "model.safetensors").stat().st_size > 400_000_000


@pytest.mark.encoder
def test_real_encoders_shapes_and_norms(fused_encoder) -> None:  # type: ignore[no-untyped-def]
    texts = ["没发货的订单可以取消吗", "Can I cancel my order?"]
    assert fused_encoder.dim == 896 and fused_encoder.name == "fused[0.8,0.2]"
    assert fused_encoder.weights == pytest.approx([0.8, 0.2])
    for encoder in (*fused_encoder.members, fused_encoder):
        vecs = encoder.encode(texts)
        assert vecs.dtype == np.float32 and vecs.shape == (2, encoder.dim)
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-4)
    assert [m.name for m in fused_encoder.members] == ["e5-small", "use-m3"]


@pytest.mark.encoder
def test_traditional_equals_simplified(fused_encoder) -> None:  # type: ignore[no-untyped-def]
    vecs = fused_encoder.encode(["訂單還沒發貨能取消嗎？退貨運費誰出", "订单还没发货能取消吗？退货运费谁出"])
    assert float(vecs[0] @ vecs[1]) > 0.999


@pytest.mark.encoder
@pytest.mark.parametrize("anchor, close, far", [
    ("退款多久到账", "钱什么时候退回我的银行卡", "明天北京天气怎么样"),
    ("where is my parcel", "my package has not arrived yet", "tell me a joke"),
    ("这个沙发是真皮的吗", "is this sofa made of leather", "how do I write a for loop in python"),
])
def test_similar_beats_dissimilar(fused_encoder, anchor: str, close: str, far: str) -> None:  # type: ignore[no-untyped-def]
    v = fused_encoder.encode([anchor, close, far])
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.05


@pytest.mark.encoder
def test_real_search_on_fixture_kb(fused_encoder, fixtures: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.open(tmp_path / "kb", fused_encoder)
    kb.upsert(load_files([fixtures / "kb", fixtures / "flat.json", fixtures / "faq.csv"]).values())
    trad = kb.search("訂單還沒發貨，我不想要了")
    simp = kb.search("订单还没发货，我不想要了")
    assert trad["hits"][0]["id"] == simp["hits"][0]["id"] == "faq.cancel.unshipped"
    assert trad["hits"][0]["score"] == pytest.approx(simp["hits"][0]["score"], abs=1e-3)
    en = kb.search("when do I get my money back on my card")
    assert en["hits"][0]["id"] == "faq.refund.timing" and en["hits"][0]["answer"].startswith("After")
    assert kb.search("两张优惠券能一起用吗")["hits"][0]["id"] == "faq.coupon.stack"


@pytest.mark.encoder
def test_capacity_and_usage_questions_about_a_named_product_stay_in_scope(fused_encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 7: the product ranks first, but "容量/怎么用" wording is far from every KB row, so the scope
    score alone rejected it; the product search of actions/products.py must get it in scope."""
    from kb.config import load_config

    repo = Path(__file__).resolve().parents[2]
    cfg = load_config()
    kb = KnowledgeBase.open(tmp_path / "kb", fused_encoder, **cfg.kb_options())
    kb.upsert(load_files([repo / "demo" / "kb" / "products.yaml",
                          repo / "demo" / "kb" / "faq" / "presale.yaml"]).values())
    kb.save()
    for query in ("这个电饭煲的容量是多少，够几个人吃", "电热水壶第一次怎么用", "空气炸锅怎么用"):
        result = kb.search(query, kinds=["product"], top_k=3)
        assert result["hits"][0]["kind"] == "product" and result["in_scope"], (query, result["scope_score"])
    assert not kb.search("明天北京天气怎么样")["in_scope"]
    assert not kb.search("给我讲个笑话", kinds=["product"])["in_scope"]
