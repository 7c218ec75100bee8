"""The CLI through a real subprocess: JSON in, decision out, clear errors with exit code 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from handoff.assess.cli import run

ROOT = Path(__file__).resolve().parents[3]


def cli(payload: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handoff.assess", "--no-model", *args],
        input=payload, capture_output=True, text=True, cwd=ROOT, timeout=60,
    )


def test_cli_prints_decision() -> None:
    payload = {
        "messages": [{"role": "customer", "text": "快递到哪了"}, {"role": "bot", "text": "在路上"},
                     {"role": "customer", "text": "转人工"}],
        "customer": {"id": "C1003", "vip_tier": "diamond"},
        "orders": [{"id": "E2026110001", "amount": 8999, "status": "shipped"}],
    }
    done = cli(json.dumps(payload, ensure_ascii=False))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["handoff"] is True
    assert [r["code"] for r in out["reasons"]] == ["explicit_human", "high_value"]
    assert out["reasons"][0]["messages"] == [{"index": 2, "text": "转人工"}]
    assert out["scores"]["max_order_amount"] == 8999


def test_cli_no_handoff() -> None:
    done = cli('{"messages": [{"role": "customer", "text": "这件有M码吗"}]}')
    assert done.returncode == 0
    assert json.loads(done.stdout)["handoff"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ('{"messages": [{"role": "customer", "text": "a"}, {"role": "bot", "text": "b"}, {"role": "robot", "text": "c"}]}',
         "messages[2].role: must be one of customer, bot, agent"),
        ('{"messages": "hi"}', "messages: must be a list"),
        ('{"messages": [{"role": "customer", "text": 5}]}', "messages[0].text: must be a string"),
        ('{"messages": [], "orders": [{"id": "E1", "amount": -3}]}', "orders[0].amount: must be a non-negative number"),
        ('{"messages": [], "customer": "gold"}', "customer: must be an object"),
        ('{"messages": [', "invalid JSON"),
    ],
)
def test_cli_bad_input(payload: str, field: str) -> None:
    done = cli(payload)
    assert done.returncode == 2
    assert field in done.stderr
    assert "Traceback" not in done.stderr


def test_run_in_process_with_bad_config(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "conf" / "handoff.yaml").read_text(encoding="utf-8"))
    data["lookback_customer_messages"] = 0
    bad = tmp_path / "handoff.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = io.StringIO()
    code = run(["--config", str(bad), "--no-model"], io.StringIO('{"messages": []}'), io.StringIO(), err)
    assert code == 3
    assert "lookback_customer_messages" in err.getvalue()


def test_batch_mode_reads_json_lines_and_reports_bad_lines_in_place(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "messages": [{"role": "customer", "text": "发票怎么开"}]}, ensure_ascii=False),
        "",
        json.dumps({"id": "b", "messages": [{"role": "customer", "text": "我的快递到哪了"}, {"role": "bot", "text": "在路上"},
                                            {"role": "customer", "text": "人工 你好"}]}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "d", "messages": [{"role": "robot", "text": "hi"}]}),
        json.dumps({"id": "e", "messages": [{"role": "customer", "text": "帮我看看", "facts": ["requested_human"]}]}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "handoff", "assess", "--no-model", "--batch", str(src)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2  # some lines were bad; the good ones were still decided
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", None, "d", "e"]
    assert out[0]["handoff"] is False and out[0]["new_reasons"] == []
    assert out[1]["handoff"] is True and out[1]["new_reasons"] == ["explicit_human"]
    assert out[2]["line"] == 4 and out[2]["error"]["code"] == "bad_json"
    assert out[3]["error"]["field"] == "messages[0].role"
    assert out[4]["new_reasons"] == ["explicit_human"] and "requested_human" in out[4]["reasons"][0]["explanation"]
    assert f"{src}:4:" in done.stderr and f"{src}:5:" in done.stderr


def test_batch_mode_from_stdin() -> None:
    payload = json.dumps({"id": 1, "messages": [{"role": "customer", "text": "我要投诉你们"}]}, ensure_ascii=False)
    done = cli(payload + "\n", "--batch", "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["new_reasons"] == ["complaint_threat"]
