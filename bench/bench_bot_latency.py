"""Benchmark: reply latency of the bot over Rasa's REST channel and through the bridge, and a full training run.

Through the bridge = what a customer waits: `POST /api/conversations/<id>/messages` (the first message of a
new conversation) until the bridge has stored the bot's reply (the bridge answers synchronously).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.stack import Ports, Stack, ensure_model, var_dir  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ROUNDS = 30
# (kind, customer id, message) — demo customers and orders from shop/DEMO.md
MESSAGES: dict[str, list[tuple[str, str]]] = {
    "faq": [("C1001", "运费险怎么赔？"), ("C1002", "How long does a refund take to reach my bank?"),
            ("C1001", "可以开增值税专用发票吗"), ("C1002", "Do you offer price protection?")],
    "order_status": [("C1001", "我的订单到哪一步了"), ("C1002", "What's the status of my order?")],
    "tracking": [("C1004", "我的快递到哪了"), ("C1002", "Where is my parcel?")],
}


def post(url: str, payload: dict[str, object]) -> tuple[float, list[dict[str, object]]]:
    body = json.dumps(payload).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.loads(resp.read())
    return (time.perf_counter() - started) * 1000, data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_training() -> float:
    """Time a full `rasa train` from an empty cache into a scratch folder."""
    import os
    import shutil
    import subprocess
    import tempfile

    from scripts.stack import RASA_BIN, rasa_env

    scratch = Path(tempfile.mkdtemp(prefix="bench-train-"))
    env = rasa_env(os.environ)
    env["RASA_CACHE_DIRECTORY"] = str(scratch / "cache")
    started = time.perf_counter()
    subprocess.run([str(RASA_BIN), "train", "--data", "bot", "--config", "config.yml", "--domain", "domain.yml",
                    "--out", str(scratch / "models")], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)
    return elapsed


def bridge_config_without_rate_limits() -> Path:
    """A copy of conf/bridge.yaml whose per-client rate limits do not throttle one benchmarking client."""
    import yaml

    data = yaml.safe_load((ROOT / "conf" / "bridge.yaml").read_text(encoding="utf-8"))
    data["limits"] = {k: "1000000/60" for k in data["limits"]}
    path = var_dir() / "bench" / "bridge-nolimits.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def through_bridge(base: str) -> dict[str, dict[str, float]]:
    """Customer POST → stored bot reply, first message of a new conversation, per message kind."""
    out: dict[str, dict[str, float]] = {}
    for kind, samples in MESSAGES.items():
        latencies: list[float] = []
        for i in range(ROUNDS):
            for j, (customer, text) in enumerate(samples):
                _, conv = post(f"{base}/api/conversations", {"customer_id": customer})
                body = json.dumps({"text": text, "client_msg_id": f"b{i}-{j}"}).encode()
                req = urllib.request.Request(
                    f"{base}/api/conversations/{conv['conversation_id']}/messages", data=body,  # type: ignore[index]
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {conv['customer_token']}"})  # type: ignore[index]
                started = time.perf_counter()
                with urllib.request.urlopen(req, timeout=60) as resp:
                    state = json.loads(resp.read())["state"]
                ms = (time.perf_counter() - started) * 1000
                if state != "answered":
                    raise SystemExit(f"bridge did not answer {text!r} ({state})")
                if i > 0:
                    latencies.append(ms)
        out[kind] = {"n": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
                     "p95_ms": round(percentile(latencies, 0.95), 1), "max_ms": round(max(latencies), 1)}
    return out


def main() -> int:
    import os

    train_seconds = measure_training() if "--skip-train" not in sys.argv else None
    model = ensure_model()
    results: dict[str, object] = {"rounds": ROUNDS, "train_seconds": train_seconds, "kinds": {}}
    os.environ["BRIDGE_CONFIG"] = str(bridge_config_without_rate_limits())
    with Stack(ports=Ports.random(), model=model, services=("kb", "actions", "rasa", "bridge"),
               log_dir=var_dir() / "logs" / "bench") as stack:
        url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
        results["bridge"] = through_bridge(f"http://127.0.0.1:{stack.ports.bridge}")
        for kind, samples in MESSAGES.items():
            latencies: list[float] = []
            for i in range(ROUNDS):
                for j, (customer, text) in enumerate(samples):
                    ms, _ = post(url, {"sender": f"bench-{kind}-{i}-{j}", "message": text,
                                       "metadata": {"customer_id": customer}})
                    if i > 0:  # first round warms caches
                        latencies.append(ms)
            results["kinds"][kind] = {  # type: ignore[index]
                "n": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1), "max_ms": round(max(latencies), 1)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bot_latency.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    load = os.getloadavg()
    lines = ["# Bot reply latency (warm, 2 cores)", "",
             f"Full training run: {train_seconds:.0f} s" if train_seconds else "Training not measured",
             f"Load average at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.", "",
             "| path | message kind | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|"]
    for path, table in (("Rasa REST", results["kinds"]), ("through the bridge (target p95 ≤ 150; before p50 174, p95 230)",
                                                        results["bridge"])):
        for kind, row in table.items():  # type: ignore[attr-defined]
            lines.append(f"| {path} | {kind} | {row['n']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    (RESULTS / "bot_latency.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
