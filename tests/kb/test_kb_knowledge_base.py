"""KnowledgeBase: incremental upsert/sync/delete, atomic saves, answers in the customer's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.encoders.hashing import HashingEncoder
from kb.knowledge_base import KnowledgeBase, KnowledgeBaseError
from kb.loaders import load_files
from kb.records import FaqEntry, FaqText


class CountingEncoder(HashingEncoder):
    """Hashing encoder that counts how many texts it encoded."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded = 0

    def encode(self, texts, kind="query"):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return super().encode(texts, kind)


@pytest.fixture
def demo(tmp_path: Path, fixtures: Path) -> KnowledgeBase:
    kb = KnowledgeBase.open(tmp_path / "kb", CountingEncoder())
    kb.upsert(load_files([fixtures / "kb", fixtures / "flat.json"]).values())
    kb.save()
    return kb


def test_open_reads_back_what_was_saved(demo: KnowledgeBase) -> None:
    again = KnowledgeBase.open(demo.directory, HashingEncoder())
    assert again.entries == demo.entries
    assert again.manifest["content_hash"] == demo.content_hash()
    assert again.manifest["encoder"] == "hashing" and again.manifest["dim"] == 256
    assert again.manifest["count"] == len(demo.entries)
    assert {"built_at", "updated_at", "rows"} <= set(again.manifest)


def test_upsert_only_reencodes_changed_entries(demo: KnowledgeBase) -> None:
    encoder = demo.encoder
    assert isinstance(encoder, CountingEncoder)
    before = encoder.encoded
    change = demo.upsert(list(demo.entries.values()))
    assert not change.changed and encoder.encoded == before
    new = FaqEntry("faq.new", zh=FaqText("怎么开发票", "在订单页申请电子发票", ("要发票",)))
    change = demo.upsert([new])
    assert change.added == ("faq.new",) and encoder.encoded == before + 2
    hit = demo.search("要发票")["hits"][0]
    assert hit["id"] == "faq.new"


def test_sync_deletes_entries_not_in_source(demo: KnowledgeBase, fixtures: Path) -> None:
    change = demo.sync(load_files([fixtures / "kb"]))
    assert set(change.deleted) == {"faq.coupon.stack", "faq.warranty.repair"}
    assert "faq.coupon.stack" not in {h["id"] for h in demo.search("优惠券可以叠加使用吗", top_k=20)["hits"]}


def test_failed_save_leaves_existing_kb_untouched(demo: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = (demo.directory / "records.json").read_text(encoding="utf-8")
    demo.delete(["faq.refund.timing"])

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(demo.index, "save", crash)
    with pytest.raises(OSError):
        demo.save()
    assert (demo.directory / "records.json").read_text(encoding="utf-8") == saved
    assert "faq.refund.timing" in KnowledgeBase.open(demo.directory, HashingEncoder()).entries


def test_answer_in_customer_language(demo: KnowledgeBase) -> None:
    zh = demo.search("退款多久到账")
    en = demo.search("how long does a refund take")
    assert zh["lang"] == "zh" and zh["hits"][0]["answer"].startswith("亲")
    assert en["lang"] == "en" and en["hits"][0]["id"] == "faq.refund.timing"
    assert en["hits"][0]["answer"].startswith("After approval")
    forced = demo.search("退款多久到账", lang="en")
    assert forced["hits"][0]["title"] == "How long does a refund take?"
    only_zh = demo.search("地址填错了怎么改", lang="en")
    top = next(h for h in only_zh["hits"] if h["id"] == "faq.address.change")
    assert top["lang"] == "zh"  # falls back to the language the entry has


def test_mixed_query_counts_as_chinese_and_policies_follow_language(demo: KnowledgeBase) -> None:
    assert demo.search("我的order怎么cancel")["lang"] == "zh"
    en = demo.search("no-reason returns policy", kinds=["policy"])
    assert en["hits"] and all(h["id"].startswith("policy.returns.en") for h in en["hits"])
    zh = demo.search("七天无理由退货", kinds=["policy"])
    assert all(".zh." in h["id"] for h in zh["hits"])


def test_product_hit_renders_short_answer(demo: KnowledgeBase) -> None:
    hit = demo.search("Luna leather sofa size", kinds=["product"])["hits"][0]
    assert hit["id"] == "product.SOFA-LUNA-3S"
    assert "¥6,999.00" in hit["answer"] and "220×95×85 cm" in hit["answer"]
    assert hit["meta"]["high_ticket"] is True and hit["kind"] == "product"
    tea = demo.search("龙井茶", kinds=["product"])["hits"][0]
    assert "缺货" in tea["answer"] and tea["meta"]["special"] == "fresh"


def test_threshold_from_manifest_and_encoder_mismatch(demo: KnowledgeBase) -> None:
    demo.set_threshold(0.42, {"mode": "test"})
    demo.save()
    again = KnowledgeBase.open(demo.directory, HashingEncoder())
    assert again.threshold == 0.42
    assert again.search("退款多久到账")["in_scope"] is True
    assert again.search("zzzz qqqq")["in_scope"] is False

    class Other(HashingEncoder):
        name = "other"

    with pytest.raises(KnowledgeBaseError, match="build"):
        KnowledgeBase.open(demo.directory, Other())


def test_records_file_is_plain_json(demo: KnowledgeBase) -> None:
    records = json.loads((demo.directory / "records.json").read_text(encoding="utf-8"))
    assert {r["kind"] for r in records} == {"faq", "product", "policy"}
