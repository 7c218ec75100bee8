"""Relay benchmark: many customers and agents on loopback against the real bridge process.

Starts `python -m handoff serve` on a throwaway SQLite database (Rasa replaced by a tiny local
HTTP stub: this measures the bridge's relay, not the bot), hands every conversation to a human,
lets several agents claim them and long-poll their feed, then has every customer send messages
(10% resent with the same client_msg_id, as a flaky network would). Reports throughput, the
customer→agent visibility latency (p50/p95/max) and lost or duplicated messages (must be 0).
Writes bench/results/handoff_relay.json and .md.

    python bench/bench_handoff_relay.py [--conversations 200] [--agents 8] [--messages 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVICE_TOKEN = "bench-service-token"
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_rasa_stub() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._json({"events": []})

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path.startswith("/webhooks/rest/webhook"):
                self._json([{"text": "您好，请问有什么可以帮您？"}])
            else:
                self._json({"ok": True, "event": body.get("event")})

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def bench_config(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "conf" / "bridge.yaml").read_text(encoding="utf-8"))
    data["limits"] = {k: "1000000/60" for k in data["limits"]}
    data["business_hours"].update(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open="00:00",
                                  close="24:00")
    path = tmp / "bridge-bench.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def login(base: str, username: str, password: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    page = s.get(f"{base}/console/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = s.post(f"{base}/console/login", data={"username": username, "password": password, "csrf_token": token},
               allow_redirects=False, timeout=10)
    if r.status_code != 302:
        raise SystemExit(f"login of {username} failed: {r.status_code}")
    page = s.get(f"{base}/console/", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return s, csrf


class Agent(threading.Thread):
    """Long-polls the feed of its conversations and notes when each customer message shows up."""

    def __init__(self, base: str, session: requests.Session, seen: dict[str, list[float]],
                 lock: threading.Lock, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.s, self.seen, self.lock, self.stop = base, session, seen, lock, stop
        self.cursor = 0
        self.errors = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                r = self.s.get(f"{self.base}/console/api/feed", params={"after": self.cursor, "wait": 2}, timeout=30)
                data = r.json()
            except (requests.RequestException, ValueError):
                self.errors += 1
                time.sleep(0.2)
                continue
            now = time.perf_counter()
            with self.lock:
                for m in data["messages"]:
                    if m["role"] == "customer":
                        self.seen.setdefault(m["text"], []).append(now)
            self.cursor = max(self.cursor, data["last_seq"])


def customer(base: str, conv: dict[str, str], n: int, think: float, sent: dict[str, float],
             lock: threading.Lock, acks: list[float], errors: list[str]) -> None:
    s = requests.Session()
    headers = {"Authorization": f"Bearer {conv['customer_token']}"}
    rng = random.Random(conv["conversation_id"])
    for i in range(n):
        text = f"{conv['conversation_id']}#{i} 我的快递到哪了"
        body = {"text": text, "client_msg_id": f"m{i}"}
        t0 = time.perf_counter()
        with lock:
            sent[text] = t0
        for attempt in range(2 if rng.random() < 0.1 else 1):  # 10%: a resend with the same id
            try:
                r = s.post(f"{base}/api/conversations/{conv['conversation_id']}/messages", json=body,
                           headers=headers, timeout=30)
                if r.status_code not in (200, 201):
                    errors.append(f"{r.status_code} {r.text[:80]}")
                elif attempt == 0:
                    acks.append(time.perf_counter() - t0)
            except requests.RequestException as exc:
                errors.append(exc.__class__.__name__)
        time.sleep(think * (0.5 + rng.random()))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from handoff.store.db import make_engine, upgrade
    from handoff.store.repo import Store
    from handoff.web.auth import create_agent

    tmp = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    db_url = f"sqlite:///{tmp / 'handoff.db'}"
    store = Store(make_engine(db_url))
    upgrade(store.engine)
    for i in range(args.agents):
        create_agent(store, f"bench{i}", "bench-password", "agent")
    stub = start_rasa_stub()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, HANDOFF_DATABASE_URL=db_url, RASA_URL=f"http://127.0.0.1:{stub.server_address[1]}",
               RASA_TOKEN="x", SERVICE_TOKEN=SERVICE_TOKEN, FLASK_SECRET_KEY="bench", BRIDGE_CONFIG=str(bench_config(tmp)),
               ACTION_SERVER_URL="", KB_URL="http://127.0.0.1:9", CS_VAR_DIR=str(tmp), PYTHONPATH=str(ROOT),
               HF_HUB_OFFLINE="1")
    log = (tmp / "bridge.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "handoff", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise SystemExit(f"bridge did not start; log in {tmp / 'bridge.log'}")
        return _measure(args, base, store)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        stub.shutdown()


def _measure(args: argparse.Namespace, base: str, store: Any) -> dict[str, Any]:
    agents = [login(base, f"bench{i}", "bench-password") for i in range(args.agents)]
    convs = []
    for _ in range(args.conversations):
        conv = requests.post(f"{base}/api/conversations", json={"customer_id": "C1001"}, timeout=10).json()
        r = requests.post(f"{base}/api/internal/handoff", json={"conversation_id": conv["conversation_id"],
                          "facts": ["requested_human"], "detail": "bench"},
                          headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=10)
        assert r.ok, r.text
        convs.append(conv)
    for i, conv in enumerate(convs):  # round-robin claims
        s, csrf = agents[i % len(agents)]
        r = s.post(f"{base}/console/api/conversations/{conv['conversation_id']}/claim", json={},
                   headers={"X-CSRFToken": csrf}, timeout=10)
        assert r.ok, r.text
    seen: dict[str, list[float]] = {}
    sent: dict[str, float] = {}
    lock, stop = threading.Lock(), threading.Event()
    listeners = [Agent(base, s, seen, lock, stop) for s, _ in agents]
    for a in listeners:
        a.start()
    time.sleep(1.0)
    acks: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=customer, args=(base, c, args.messages, args.think, sent, lock, acks, errors))
               for c in convs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send_seconds = time.perf_counter() - t0
    deadline = time.time() + 15
    while time.time() < deadline and len(seen) < len(sent):
        time.sleep(0.2)
    stop.set()
    latencies = [seen[text][0] - t for text, t in sent.items() if text in seen]
    lost_at_agent = [text for text in sent if text not in seen]
    dup_at_agent = [text for text, times in seen.items() if len(times) > 1]
    stored = [m for c in convs for m in store.messages(c["conversation_id"], limit=100_000) if m.role == "customer"]
    stored_texts = [m.text for m in stored]
    return {
        "conversations": args.conversations, "agents": args.agents, "messages_per_conversation": args.messages,
        "think_seconds": args.think, "messages_sent": len(sent),
        "send_phase_seconds": round(send_seconds, 2),
        "throughput_msgs_per_s": round(len(sent) / send_seconds, 1),
        "ack_ms": {"p50": round(pct(acks, 0.5) * 1000, 1), "p95": round(pct(acks, 0.95) * 1000, 1)},
        "visibility_ms": {"p50": round(pct(latencies, 0.5) * 1000, 1), "p95": round(pct(latencies, 0.95) * 1000, 1),
                          "max": round(max(latencies, default=float("nan")) * 1000, 1)},
        "lost_at_agent": len(lost_at_agent), "duplicated_at_agent": len(dup_at_agent),
        "lost_in_store": len(set(sent) - set(stored_texts)),
        "duplicated_in_store": len(stored_texts) - len(set(stored_texts)),
        "http_errors": len(errors), "error_samples": errors[:5],
        "agent_poll_errors": sum(a.errors for a in listeners),
        "rasa": "local HTTP stub (relay benchmark; the bot itself is not measured here)",
        "server": "python -m handoff serve (werkzeug threaded), SQLite WAL",
        "load_average_1m_at_end": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }


def write(result: dict[str, Any], name: str = "handoff_relay") -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    ok = result["lost_at_agent"] == 0 and result["duplicated_at_agent"] == 0 and result["duplicated_in_store"] == 0
    lines = [
        "# Handoff relay benchmark", "",
        f"{result['conversations']} concurrent conversations, {result['agents']} agents, "
        f"{result['messages_per_conversation']} messages each (10% resent with the same client_msg_id), "
        f"loopback, one bridge process ({result['server']}); Rasa: {result['rasa']}.", "",
        "| metric | value |", "|---|---|",
        f"| customer messages | {result['messages_sent']} |",
        f"| throughput (send phase) | {result['throughput_msgs_per_s']} msg/s |",
        f"| ack latency p50 / p95 | {result['ack_ms']['p50']} / {result['ack_ms']['p95']} ms |",
        f"| customer→agent visibility p50 / p95 / max | {result['visibility_ms']['p50']} / "
        f"{result['visibility_ms']['p95']} / {result['visibility_ms']['max']} ms |",
        f"| lost (agent / store) | {result['lost_at_agent']} / {result['lost_in_store']} |",
        f"| duplicated (agent / store) | {result['duplicated_at_agent']} / {result['duplicated_in_store']} |",
        f"| HTTP errors | {result['http_errors']} |",
        f"| machine load (1-min average at end, {result['cpus']} CPUs) | {result['load_average_1m_at_end']} |", "",
        "The load generator (200 customer threads, agent pollers) shares the CPUs with the bridge.", "",
        f"Target: p95 visibility ≤ 1000 ms, 0 lost, 0 duplicated → **{'met' if ok and result['visibility_ms']['p95'] <= 1000 else 'NOT met'}**.",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a customer's messages")
    parser.add_argument("--name", default="handoff_relay", help="result file name (bench/results/<name>.json/.md)")
    args = parser.parse_args()
    result = run(args)
    write(result, args.name)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    bad = result["lost_at_agent"] or result["duplicated_at_agent"] or result["duplicated_in_store"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
