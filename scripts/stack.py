"""Start, watch and stop the whole system (KB service, action server, Rasa, handoff bridge)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = Path(os.environ.get("VENV_DIR", ROOT / ".venv"))
APP_PY = VENV_DIR / "app" / "bin" / "python"
RASA_BIN = VENV_DIR / "rasa" / "bin" / "rasa"
BOT_INPUTS = ("config.yml", "domain.yml", "bot", "shoptext")  # shoptext: the NLU cleaner runs it


def var_dir() -> Path:
    return Path(os.environ.get("CS_VAR_DIR", ROOT / "var"))


def load_secrets() -> dict[str, str]:
    """Read var/secrets.env, creating it with fresh random tokens the first time."""
    path = var_dir() / "secrets.env"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"RASA_TOKEN={secrets.token_urlsafe(24)}\n"
            f"SERVICE_TOKEN={secrets.token_urlsafe(24)}\n"
            f"FLASK_SECRET_KEY={secrets.token_urlsafe(32)}\n",
            encoding="utf-8",
        )
        path.chmod(0o600)
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bot_files() -> Iterator[Path]:
    for name in BOT_INPUTS:
        path = ROOT / name
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            yield path


def bot_fingerprint() -> str:
    """Hash of everything `rasa train` reads, so an unchanged bot is never retrained."""
    digest = hashlib.sha256()
    for path in _bot_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(force: bool = False) -> Path:
    """Train the Rasa model unless one for the current training data exists; return its path."""
    models = var_dir() / "rasa-models"
    name = f"bot-{bot_fingerprint()}"
    target = models / f"{name}.tar.gz"
    if target.exists() and not force:
        return target
    models.mkdir(parents=True, exist_ok=True)
    print(f"[stack] training the Rasa model ({name}); this takes a few minutes", flush=True)
    cmd = [str(RASA_BIN), "train", "--data", "bot", "--config", "config.yml", "--domain", "domain.yml",
           "--out", str(models), "--fixed-model-name", name]
    log = var_dir() / "logs" / "rasa-train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.call(cmd, cwd=ROOT, env=rasa_env(os.environ), stdout=out, stderr=subprocess.STDOUT)
    if code != 0 or not target.exists():
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise SystemExit(f"[stack] rasa train failed (exit {code}); log: {log}\n{tail}")
    return target


def rasa_env(base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("RASA_CACHE_DIRECTORY", str(var_dir() / "rasa-cache"))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: Sequence[str]
    health_url: str
    public_url: str
    startup_seconds: float = 180.0


@dataclass
class Ports:
    kb: int = 8010
    actions: int = 5055
    rasa: int = 5005
    bridge: int = 8000

    @classmethod
    def random(cls) -> Ports:
        return cls(kb=free_port(), actions=free_port(), rasa=free_port(), bridge=free_port())


@dataclass
class Stack:
    """The running system. Use as a context manager; every process is stopped on exit."""

    ports: Ports = field(default_factory=Ports)
    model: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    log_dir: Path = field(default_factory=lambda: var_dir() / "logs")
    services: Sequence[str] = ("kb", "actions", "rasa", "bridge")
    endpoints: str = "endpoints.yml"
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = rasa_env(os.environ)
        env.update(load_secrets())
        env.update(
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            PYTHONPATH=str(ROOT),
            KB_URL=f"http://127.0.0.1:{self.ports.kb}",
            RASA_URL=f"http://127.0.0.1:{self.ports.rasa}",
            ACTION_SERVER_URL=f"http://127.0.0.1:{self.ports.actions}/webhook",
            BRIDGE_URL=f"http://127.0.0.1:{self.ports.bridge}",
        )
        env.update(self.extra_env)
        return env

    def specs(self) -> dict[str, ServiceSpec]:
        p, env = self.ports, self.env
        model = self.model or ensure_model()
        return {
            "kb": ServiceSpec("kb", [str(APP_PY), "-m", "kb", "serve", "--host", "127.0.0.1", "--port", str(p.kb)],
                              f"http://127.0.0.1:{p.kb}/health", f"http://127.0.0.1:{p.kb}/health"),
            "actions": ServiceSpec(
                "actions", [str(APP_PY), "-m", "rasa_sdk", "--actions", "actions", "--port", str(p.actions)],
                f"http://127.0.0.1:{p.actions}/health", f"http://127.0.0.1:{p.actions}/webhook"),
            "rasa": ServiceSpec(
                "rasa",
                [str(RASA_BIN), "run", "--enable-api", "--auth-token", env["RASA_TOKEN"], "--model", str(model),
                 "--port", str(p.rasa), "--interface", "127.0.0.1", "--endpoints", self.endpoints,
                 "--credentials", "credentials.yml"],
                f"http://127.0.0.1:{p.rasa}/status?token={env['RASA_TOKEN']}", f"http://127.0.0.1:{p.rasa}"),
            "bridge": ServiceSpec(
                "bridge", [str(APP_PY), "-m", "handoff", "serve", "--host", "127.0.0.1", "--port", str(p.bridge)],
                f"http://127.0.0.1:{p.bridge}/health", f"http://127.0.0.1:{p.bridge}"),
        }

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        specs = self.specs()
        env = self.env
        try:
            for name in self.services:
                spec = specs[name]
                log = (self.log_dir / f"{name}.log").open("ab")
                self.procs[name] = subprocess.Popen(
                    list(spec.argv), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            for name in self.services:
                self._wait_healthy(specs[name])
            self.warm_up()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, spec: ServiceSpec) -> None:
        deadline = time.monotonic() + spec.startup_seconds
        proc = self.procs[spec.name]
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{spec.name} exited with {proc.returncode}; see {self.log_dir / spec.name}.log\n"
                                   + self.log_tail(spec.name))
            if http_ok(spec.health_url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{spec.name} not healthy after {spec.startup_seconds:.0f}s; see "
                           f"{self.log_dir / spec.name}.log\n" + self.log_tail(spec.name))

    def log_tail(self, name: str, lines: int = 25) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def warm_up(self) -> None:
        """Push one message through Rasa so the first customer message is fast."""
        if "rasa" not in self.services:
            return
        import json

        body = json.dumps({"sender": "warmup", "message": "你好", "metadata": {"customer_id": "C1001"}}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.ports.rasa}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=60).read()
        except (urllib.error.URLError, OSError) as exc:
            print(f"[stack] warm-up message failed: {exc}", file=sys.stderr)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def urls(self) -> dict[str, str]:
        p = self.ports
        return {
            "customer chat": f"http://127.0.0.1:{p.bridge}/chat",
            "agent console": f"http://127.0.0.1:{p.bridge}/console",
            "knowledge admin": f"http://127.0.0.1:{p.bridge}/admin",
            "knowledge search API": f"http://127.0.0.1:{p.kb}/search",
            "Rasa REST channel": f"http://127.0.0.1:{p.rasa}/webhooks/rest/webhook",
        }


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.stack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("train", help="train the Rasa model if the training data changed")
    run = sub.add_parser("run", help="start everything and wait (Ctrl-C stops)")
    run.add_argument("--exit-after-start", action="store_true", help="start, check health, print URLs, stop")
    args = parser.parse_args(argv)
    if args.command == "train":
        print(ensure_model())
        return 0
    stack = Stack()
    print("[stack] starting: knowledge base, action server, Rasa, handoff bridge …", flush=True)
    with stack:
        print("\n[stack] ready. Open:")
        for label, url in stack.urls().items():
            print(f"  {label:22s} {url}")
        print(f"\n  demo agents, customers and orders: see README.md; logs in {stack.log_dir}")
        if args.exit_after_start:
            return 0
        print("  press Ctrl-C to stop\n", flush=True)
        try:
            while all(p.poll() is None for p in stack.procs.values()):
                time.sleep(1)
            dead = [n for n, p in stack.procs.items() if p.poll() is not None]
            print(f"[stack] {', '.join(dead)} stopped unexpectedly; see logs in {stack.log_dir}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\n[stack] stopping …")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
