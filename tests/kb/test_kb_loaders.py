"""Loaders: every documented format reads into typed records; bad files give precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.loaders import load_files, parse_policy
from kb.records import FaqEntry, PolicyChunk, Product
from kb.validate import LoadError


def test_structured_yaml_products_and_policies(fixtures: Path) -> None:
    entries = load_files([fixtures / "kb"])
    faq = entries["faq.cancel.unshipped"]
    assert isinstance(faq, FaqEntry)
    assert faq.zh and faq.zh.paraphrases == ("订单还没发货能取消吗", "不想要了没发货怎么取消")
    assert faq.en and faq.en.question.startswith("Can I cancel")
    assert faq.tags == ("order", "cancel")
    only_zh = entries["faq.address.change"]
    assert isinstance(only_zh, FaqEntry) and only_zh.en is None
    sofa = entries["product.SOFA-LUNA-3S"]
    assert isinstance(sofa, Product)
    assert sofa.price == 6999.0 and sofa.high_ticket and sofa.warranty_months == 36
    assert sofa.zh and ("材质", "头层牛皮") in sofa.zh.attributes
    tea = entries["product.TEA-LONGJING-250"]
    assert isinstance(tea, Product) and tea.special == "fresh" and tea.en is None
    chunk = entries["policy.returns.en.2"]
    assert isinstance(chunk, PolicyChunk) and chunk.lang == "en"
    assert chunk.section == "Goods excluded from no-reason returns"


def test_flat_json_merges_languages_and_detects_lang(fixtures: Path) -> None:
    entries = load_files([fixtures / "flat.json"])
    coupon = entries["faq.coupon.stack"]
    assert isinstance(coupon, FaqEntry)
    assert coupon.zh and coupon.zh.paraphrases == ("两张券能一起用吗",)
    assert coupon.en and coupon.en.question == "Can I combine coupons?"
    warranty = entries["faq.warranty.repair"]
    assert isinstance(warranty, FaqEntry) and warranty.en and warranty.zh is None


def test_csv_with_pipe_separated_lists(fixtures: Path) -> None:
    vip = load_files([fixtures / "faq.csv"])["faq.vip.service"]
    assert isinstance(vip, FaqEntry)
    assert vip.zh and vip.zh.paraphrases == ("会员有什么特权", "钻石会员有啥好处")
    assert vip.tags == ("vip", "account")


@pytest.mark.parametrize("name, record, line, field, words", [
    ("missing_answer.yaml", 2, 6, "zh.answer", "required"),
    ("wrong_lang.json", 2, None, "lang", "'fr'"),
    ("empty_question.csv", 2, 3, "question", "non-empty"),
    ("notitle.zh.md", None, 1, "title", "Title"),
    ("bad_price.yaml", 1, 3, "price", "'cheap'"),
    ("duplicate.json", 2, None, "id", "duplicate"),
])
def test_bad_files_name_file_record_line_field(fixtures: Path, name: str, record: int | None,
                                                line: int | None, field: str, words: str) -> None:
    with pytest.raises(LoadError) as info:
        load_files([fixtures / "bad" / name])
    err = info.value
    assert err.file.endswith(name)
    assert (err.record, err.line, err.field) == (record, line, field)
    assert words in err.message
    assert name in str(err) and field in str(err)


def test_yaml_field_line_points_at_the_field(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("- id: faq.a\n  zh:\n    question: 问\n    answer: 答\n    paraphrases: [好, 7.5, '']\n",
                    encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_files([path])
    assert info.value.field == "zh.paraphrases[2]" and info.value.line == 5


def test_duplicate_ids_across_files(tmp_path: Path, fixtures: Path) -> None:
    copy = tmp_path / "again.yaml"
    copy.write_text((fixtures / "kb" / "faq" / "orders.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(LoadError, match="duplicate id 'faq.cancel.unshipped'"):
        load_files([fixtures / "kb" / "faq" / "orders.yaml", copy])


def test_invalid_yaml_syntax_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("- id: a\n  zh: {question: [unclosed\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_files([path])
    assert info.value.line is not None and "invalid YAML" in info.value.message


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unsupported"):
        (tmp_path / "x.txt").write_text("hi")
        load_files([tmp_path / "x.txt"])
    with pytest.raises(LoadError, match="not found"):
        load_files([tmp_path / "nope.json"])


def test_policy_chunks_numbered_from_one() -> None:
    chunks = parse_policy("# 标题\n\n## 第一节\n内容一\n\n## 第二节\n内容二\n", "p.zh.md", "p", "zh")
    assert [c.id for c in chunks] == ["policy.p.zh.1", "policy.p.zh.2"]
    assert chunks[1].text == "内容二" and chunks[0].title == "标题"
    with pytest.raises(LoadError) as info:
        parse_policy("# T\n## Empty\n\n## Next\ntext\n", "p.en.md", "p", "en")
    assert info.value.line == 2 and info.value.field == "section"
