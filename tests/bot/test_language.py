"""LanguageDetector, run in the Rasa virtualenv (where the component lives) as a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv" / "rasa" / "bin" / "python"

CASES = [
    ("我的订单到哪了", "zh"),
    ("我的order", "zh"),
    ("我想退货 iPhone 15 Pro Max", "zh"),
    ("訂單狀態查一下", "zh"),
    ("where is my parcel", "en"),
    ("Where is my parcel 谢谢", "en"),
    ("I want 退货", "zh"),
    ("E1001000003", None),
    ("12345", None),
    ('/inform_order_id{"order_id":"E1001000003"}', None),
    ("hi", "en"),
]

SCRIPT = """
import json, sys
from bot.components.language import LanguageDetector, detect_language
from rasa.shared.nlu.training_data.message import Message
cases = json.loads(sys.argv[1])
out = {"detect": [detect_language(t) for t, _ in cases]}
msgs = [Message(data={"text": "我的order到了吗", "entities": [{"entity": "order_id", "value": "E1"}]}), Message(data={"text": "123"})]
LanguageDetector().process(msgs)
out["entities"] = [m.get("entities") for m in msgs]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def result() -> dict:
    if not RASA_PY.exists():
        pytest.skip("Rasa virtualenv not installed")
    proc = subprocess.run([str(RASA_PY), "-c", SCRIPT, json.dumps(CASES)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_detect_language_table(result: dict) -> None:
    assert result["detect"] == [expected for _, expected in CASES]


def test_process_adds_lang_entity_and_keeps_others(result: dict) -> None:
    first, second = result["entities"]
    assert {"entity": "order_id", "value": "E1"} in first
    lang = [e for e in first if e["entity"] == "lang"]
    assert lang and lang[0]["value"] == "zh" and lang[0]["extractor"] == "LanguageDetector"
    assert not [e for e in (second or []) if e["entity"] == "lang"]  # digits only: slot keeps its value
