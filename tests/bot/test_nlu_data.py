"""Checks on the NLU training data and the held-out set: coverage, annotations, no leakage."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DESIGN_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "order_status", "track_parcel",
    "delivery_delay", "cancel_order", "change_address", "return_goods", "exchange_goods",
    "refund_status", "shipping_insurance", "invoice", "coupon_price_protection",
    "product_question", "ask_human", "complaint", "inform_order_id", "inform_return_reason",
    "out_of_scope", "bot_challenge", "after_sales_repair", "payment_account", "other_order",
}
# Follow-up intents that only make sense inside a conversation (no per-language minimum).
FOLLOW_UP_INTENTS = {"inform_order_id", "other_order"}
ENTITY = re.compile(r"\[([^\]]+)\](?:\((\w+)\)|\{([^}]+)\})")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def load_examples(paths: list[Path]) -> list[tuple[str, str]]:
    """(intent, raw annotated example) pairs from Rasa NLU YAML files."""
    rows = []
    for path in paths:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                rows += [(block["intent"], line[2:].strip())
                         for line in block["examples"].splitlines() if line.startswith("- ")]
    return rows


def plain(example: str) -> str:
    return ENTITY.sub(lambda m: m.group(1), example)


def lang_of(example: str) -> str:
    return "zh" if CJK.search(example) else "en" if LATIN.search(plain(example)) else "none"


TRAIN = load_examples(sorted((ROOT / "bot" / "nlu").glob("*.yml")))
HELDOUT = load_examples([ROOT / "bench" / "data" / "nlu_heldout.yml"])


def test_every_design_intent_is_trained_and_nothing_else():
    assert {intent for intent, _ in TRAIN} == DESIGN_INTENTS


@pytest.mark.parametrize("intent", sorted(DESIGN_INTENTS - FOLLOW_UP_INTENTS))
def test_at_least_30_examples_per_language(intent):
    counts = Counter(lang_of(ex) for i, ex in TRAIN if i == intent)
    assert counts["zh"] >= 30 and counts["en"] >= 30, counts


def test_out_of_scope_is_broad():
    counts = Counter(lang_of(ex) for i, ex in TRAIN if i == "out_of_scope")
    assert counts["zh"] >= 150 and counts["en"] >= 150, counts


def test_no_duplicate_training_examples_across_intents():
    seen: dict[str, str] = {}
    clashes = []
    for intent, ex in TRAIN:
        key = plain(ex).lower()
        if key in seen and seen[key] != intent:
            clashes.append((key, seen[key], intent))
        seen[key] = intent
    assert not clashes


def test_order_ids_and_phone_digits_are_well_formed():
    for _intent, ex in TRAIN + HELDOUT:
        for text, name, _ in ENTITY.findall(ex):
            if name == "order_id":
                assert re.fullmatch(r"[Ee]\d{10}", text), ex
            if name == "phone_last4":
                assert re.fullmatch(r"\d{4}", text), ex


def test_unannotated_order_ids_do_not_exist():
    for _, ex in TRAIN + HELDOUT:
        stripped = ENTITY.sub("", ex)
        assert not re.search(r"[Ee]\d{10}", stripped), ex


def test_return_reasons_map_to_quality_or_personal():
    for _, ex in TRAIN + HELDOUT:
        for _, _, meta in ENTITY.findall(ex):
            if meta:
                value = yaml.safe_load("{" + meta + "}")
                assert value["entity"] == "return_reason" and value["value"] in {"quality", "personal"}


def test_heldout_is_large_bilingual_and_covers_every_intent():
    langs = Counter(lang_of(ex) for _, ex in HELDOUT)
    assert len(HELDOUT) >= 400 and langs["zh"] >= 200 and langs["en"] >= 150, langs
    assert {intent for intent, _ in HELDOUT} == DESIGN_INTENTS


def test_heldout_never_appears_in_training():
    trained = {plain(ex).lower() for _, ex in TRAIN}
    leaked = [ex for _, ex in HELDOUT if plain(ex).lower() in trained]
    assert not leaked


PLACEHOLDER = re.compile(r"\[[\u4e00-\u9fff]{1,6}x\]")
REAL_CHAT = load_examples(sorted((ROOT / "bot" / "nlu").glob("real_chat_*.yml")))


def test_placeholders_are_plain_words_never_entities():
    # "[订单x](order_id)" would train an anonymised token as an order number, and two placeholders
    # side by side ("[数字x][数字x]") parse as a Rasa list-entity annotation.
    for _, ex in TRAIN + HELDOUT:
        for match in PLACEHOLDER.finditer(ex):
            follow = ex[match.end():match.end() + 1]
            assert follow not in {"(", "{", "["}, ex


def test_real_chat_style_data_is_large_and_uses_real_chat_features():
    assert len(REAL_CHAT) >= 1500
    texts = [plain(ex) for _, ex in REAL_CHAT]
    assert sum(bool(PLACEHOLDER.search(t)) for t in texts) >= 100
    assert sum("咨询订单号:" in t for t in texts) >= 20
    assert sum(lang_of(ex) == "en" for _, ex in REAL_CHAT) >= 300


def _eval_dir() -> Path:
    import os

    return Path(os.environ.get("CS_EVAL_DIR", ROOT.parent / "shared" / "eval"))


def test_no_training_or_benchmark_example_copies_a_jddc_message():
    """Real JD messages are for evaluation only: no example may repeat one (beyond stock phrases)."""
    import json

    path = _eval_dir() / "jddc_dev" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"jddc_dev not found at {path}")
    from shoptext import clean_chat

    def key(text: str) -> str:
        return re.sub(r"[\s\W_]+", "", clean_chat(text).lower())

    real = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        real.add(key(row["text"]))
        real.update(key(t["text"]) for t in row["context"] if t["role"] == "customer")
    dev = load_examples([ROOT / "bench" / "data" / "nlu_dev.yml"])
    # Stock phrases (entry texts, "好的谢谢") are shorter than 9 characters once normalised.
    copied = [ex for _, ex in TRAIN + HELDOUT + dev if len(key(plain(ex))) >= 9 and key(plain(ex)) in real]
    assert not copied
