"""Retrain the Rasa bot in a background `rasa train` and hot-load the new model into the running server."""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

import requests

ROOT = Path(__file__).resolve().parent.parent
STATUS_FILE = "status.json"
LOCK_FILE = "retrain.lock"
JobState = Literal["training", "loading", "succeeded", "failed"]
ACTIVE: tuple[JobState, ...] = ("training", "loading")


class RetrainBusy(RuntimeError):
    """A retrain job is already running (in this or another bridge process)."""


@dataclass(frozen=True)
class RetrainSettings:
    """Where rasa lives, where models and job records go, and which Rasa server gets the model."""

    rasa_bin: Path
    repo_root: Path
    out_dir: Path
    state_dir: Path
    rasa_url: str
    rasa_token: str
    train_timeout: float = 3600.0
    load_timeout: float = 300.0
    keep_models: int = 3
    env: Mapping[str, str] | None = None

    @classmethod
    def from_env(cls, rasa_url: str, rasa_token: str, env: Mapping[str, str] | None = None) -> RetrainSettings:
        """Defaults: <repo>/.venv/rasa/bin/rasa ($RASA_BIN), models in <var>/rasa-models, jobs in <var>/retrain."""
        env = os.environ if env is None else env
        var = Path(env.get("CS_VAR_DIR", ROOT / "var"))
        return cls(rasa_bin=Path(env.get("RASA_BIN", ROOT / ".venv" / "rasa" / "bin" / "rasa")), repo_root=ROOT,
                   out_dir=var / "rasa-models", state_dir=var / "retrain", rasa_url=rasa_url.rstrip("/"),
                   rasa_token=rasa_token, env={**env, "RASA_CACHE_DIRECTORY": env.get(
                       "RASA_CACHE_DIRECTORY", str(var / "rasa-cache"))})


@dataclass(frozen=True)
class RetrainJob:
    """The persisted record of one job; ``state`` moves training → loading → succeeded, or to failed."""

    id: str
    state: JobState
    started_at: str
    requested_by: str
    log_file: str
    finished_at: str | None = None
    model_file: str | None = None
    returncode: int | None = None
    message: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def train_command(settings: RetrainSettings, model_name: str) -> list[str]:
    """The `rasa train` argv; run from the repository root so custom components resolve."""
    return [str(settings.rasa_bin), "train", "--data", "bot", "--config", "config.yml", "--domain", "domain.yml",
            "--out", str(settings.out_dir), "--fixed-model-name", model_name]


def train_env(base: Mapping[str, str]) -> dict[str, str]:
    """No telemetry (no network here) and quiet TensorFlow, unless the caller set them."""
    env = dict(base)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def load_outcome(status: int, body: str) -> tuple[bool, str]:
    """Rasa answers PUT /model with 204 once the new agent replaced the old one."""
    if status in (200, 204):
        return True, "new model loaded; Rasa is serving it"
    try:
        detail = json.loads(body).get("message") or body
    except (ValueError, AttributeError):
        detail = body
    return False, f"Rasa refused the model (HTTP {status}): {str(detail)[:300]}; it keeps serving the old model"


_ERROR_LINE = re.compile(r"ERROR|Error:|Exception|Incomplete rules|🚨|InvalidDomain|YamlSyntaxException")
_GENERIC = re.compile(r"Error running graph component")


def failure_hint(log_text: str) -> str:
    """The most telling error line of a failed `rasa train` log (its last specific error), or ''."""
    lines = [ln.strip() for ln in log_text.splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if _ERROR_LINE.search(lines[i]) and not _GENERIC.search(lines[i]):
            detail = lines[i + 1] if i + 1 < len(lines) and lines[i].endswith(("🚨", ":")) else ""
            return (lines[i] + (" " + detail if detail else ""))[:300]
    return ""


def tail(path: Path, lines: int = 40, max_bytes: int = 64 * 1024) -> str:
    """The last ``lines`` lines of a log file ('' if missing); reads at most ``max_bytes``."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


class RetrainRunner:
    """One job at a time (an flock held for the job's life, so also across bridge processes)."""

    def __init__(self, settings: RetrainSettings, http: requests.Session | None = None,
                 clock: Callable[[], str] = _now) -> None:
        self.settings = settings
        self.http = http or requests.Session()
        self.clock = clock
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        settings.state_dir.mkdir(parents=True, exist_ok=True)

    # ----- persisted status -----
    @property
    def _status_path(self) -> Path:
        return self.settings.state_dir / STATUS_FILE

    def _read(self) -> RetrainJob | None:
        try:
            data = json.loads(self._status_path.read_text(encoding="utf-8"))
            return RetrainJob(**data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            return RetrainJob("unknown", "failed", "", "", "", message=f"unreadable job record: {exc}")

    def _write(self, job: RetrainJob) -> RetrainJob:
        tmp = self._status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(job), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self._status_path)
        return job

    @contextmanager
    def _try_lock(self) -> Iterator[IO[str] | None]:
        fh = (self.settings.state_dir / LOCK_FILE).open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            yield None
            return
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    def status(self) -> RetrainJob | None:
        """The latest job; an 'active' job whose lock nobody holds died with its bridge and is marked failed."""
        with self._guard:
            job = self._read()
            if job is None or not job.active:
                return job
            with self._try_lock() as held:
                if held is None:
                    return job
                return self._write(replace(job, state="failed", finished_at=self.clock(),
                                           message="interrupted: the bridge stopped while the job ran"))

    def log_tail(self, job: RetrainJob, lines: int = 40) -> str:
        return tail(Path(job.log_file), lines) if job.log_file else ""

    # ----- running -----
    def start(self, requested_by: str) -> RetrainJob:
        """Start a job in a background thread; raises RetrainBusy while another one runs."""
        with self._guard:
            fh = (self.settings.state_dir / LOCK_FILE).open("a+")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise RetrainBusy("a retrain job is already running") from None
            job_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
            log_file = self.settings.state_dir / f"retrain-{job_id}.log"
            job = self._write(RetrainJob(job_id, "training", self.clock(), requested_by, str(log_file)))
            self._thread = threading.Thread(target=self._run, args=(job, fh), name=f"retrain-{job_id}", daemon=True)
            self._thread.start()
            return job

    def wait(self, timeout: float | None = None) -> RetrainJob | None:
        """Block until this process's current job thread ends (tests, CLI)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._read()

    def _run(self, job: RetrainJob, lock: IO[str]) -> None:
        try:
            final = self._steps(job)
        except Exception as exc:  # noqa: BLE001 - whatever happens, the record must not stay 'active'
            final = replace(job, state="failed", message=f"internal error: {type(exc).__name__}: {exc}")
        try:
            with self._guard:
                self._write(replace(final, finished_at=self.clock()))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()

    def _steps(self, job: RetrainJob) -> RetrainJob:
        s = self.settings
        s.out_dir.mkdir(parents=True, exist_ok=True)
        model_name = f"retrain-{job.id}"
        model = s.out_dir / f"{model_name}.tar.gz"
        with open(job.log_file, "w", encoding="utf-8") as log:
            log.write(f"[retrain] {self.clock()} job {job.id} by {job.requested_by}\n"
                      f"[retrain] {' '.join(train_command(s, model_name))} (cwd={s.repo_root})\n")
            log.flush()
            code = self._train(s, model_name, log)
            if code != 0:
                log.flush()
                hint = failure_hint(tail(Path(job.log_file), 200))
                return replace(job, state="failed", returncode=code,
                               message=f"rasa train failed (exit {code}); the old model keeps serving"
                                       + (f": {hint}" if hint else "; see the log"))
            if not model.exists():
                return replace(job, state="failed", returncode=code,
                               message=f"rasa train exited 0 but wrote no {model.name}")
            job = self._write(replace(job, state="loading", returncode=code, model_file=str(model)))
            log.write(f"[retrain] trained {model}; PUT {s.rasa_url}/model (token hidden)\n")
            log.flush()
            ok, message = self._load(str(model.resolve()))
            log.write(f"[retrain] {message}\n")
        if ok:
            self._prune(model)
        return replace(job, state="succeeded" if ok else "failed", message=message)

    def _train(self, s: RetrainSettings, model_name: str, log: IO[str]) -> int:
        if not s.rasa_bin.exists():
            log.write(f"[retrain] rasa executable not found: {s.rasa_bin} (set RASA_BIN)\n")
            return 127
        proc = subprocess.Popen(train_command(s, model_name), cwd=s.repo_root, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=train_env(s.env if s.env is not None else os.environ))
        try:
            return proc.wait(timeout=s.train_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()  # our own child, by its handle
            proc.wait()
            log.write(f"[retrain] stopped after {s.train_timeout:.0f} s\n")
            return -9

    def _load(self, model_file: str) -> tuple[bool, str]:
        s = self.settings
        try:
            resp = self.http.put(f"{s.rasa_url}/model", params={"token": s.rasa_token},
                                 json={"model_file": model_file}, timeout=s.load_timeout)
        except requests.RequestException as exc:
            return False, (f"Rasa at {s.rasa_url} not reachable ({type(exc).__name__}); "
                           f"the trained model is at {model_file}; it is used at the next Rasa start")
        return load_outcome(resp.status_code, resp.text)

    def _prune(self, keep: Path) -> None:
        """Delete older retrain-*.tar.gz models beyond ``keep_models`` (never other models)."""
        models = sorted(self.settings.out_dir.glob("retrain-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [m for m in models if m != keep][max(0, self.settings.keep_models - 1):]:
            old.unlink(missing_ok=True)
