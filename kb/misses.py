"""Append-only log of queries the knowledge base could not answer, grouped for the admins' review."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_QUERY_CHARS = 500
MAX_TOP = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS misses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    query TEXT NOT NULL,
    norm TEXT NOT NULL,
    lang TEXT,
    top_id TEXT,
    top_score REAL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS misses_norm_at ON misses (norm, at);
CREATE INDEX IF NOT EXISTS misses_at ON misses (at);
"""
_SPACES = re.compile(r"\s+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")  # spacing next to Chinese characters carries no meaning


@dataclass(frozen=True)
class Miss:
    """One recorded query that came back out of scope."""

    query: str
    lang: str | None
    top_id: str | None
    top_score: float | None
    at: datetime


@dataclass(frozen=True)
class MissSummary:
    """Near-identical misses grouped by normalised text; ``query`` is the latest wording."""

    norm: str
    query: str
    count: int
    first_seen: datetime
    last_seen: datetime
    lang: str | None
    top_id: str | None
    top_score: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (ISO timestamps) for ``GET /misses``."""
        data = asdict(self)
        data["first_seen"] = self.first_seen.isoformat(timespec="seconds")
        data["last_seen"] = self.last_seen.isoformat(timespec="seconds")
        return data


def normalise(query: str) -> str:
    """Fold width, case, punctuation, symbols and spacing: 'Where is it??' == 'where is it', '能开 专票吗！' == '能开专票吗'."""
    text = unicodedata.normalize("NFKC", query).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return _CJK_GAP.sub("", _SPACES.sub(" ", kept).strip())


def misses_path(kb_dir: Path) -> Path:
    """``<kb_dir>.misses.db`` beside the KB directory: every KB save swaps the directory itself out."""
    kb_dir = Path(kb_dir)
    return kb_dir.parent / f"{kb_dir.name}.misses.db"


class MissQueryError(ValueError):
    """A bad ``GET /misses`` parameter; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def parse_top_args(args: Mapping[str, str]) -> tuple[int, datetime | None]:
    """``limit`` (1..500, default 50) and ``since`` (ISO 8601 with a timezone) from a query string."""
    raw_limit = args.get("limit") or "50"
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_TOP:
        raise MissQueryError("limit", f"limit must be an integer in 1..{MAX_TOP}")
    raw_since = args.get("since")
    since = None
    if raw_since:
        try:
            since = datetime.fromisoformat(raw_since)
        except ValueError:
            raise MissQueryError("since", "since must be an ISO 8601 timestamp") from None
        if since.tzinfo is None:
            raise MissQueryError("since", "since must carry a timezone, e.g. 2026-11-11T00:00:00+08:00")
    return int(raw_limit), since


def _epoch(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return at.timestamp()


def _from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class MissLog:
    """SQLite file (WAL) shared safely by threads and processes: one short connection per call."""

    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._init_lock = threading.Lock()
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if not self._ready:
                with self._init_lock:
                    if not self._ready:
                        self._initialise(conn)
                        self._ready = True
            yield conn
        finally:
            conn.close()

    def _initialise(self, conn: sqlite3.Connection) -> None:
        """WAL mode and schema. Switching to WAL needs a moment alone with the file, which
        busy_timeout does not wait for, so a process starting beside another one retries."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def record(self, query: str, lang: str | None, top_id: str | None, top_score: float | None,
               at: datetime | None = None) -> Miss | None:
        """Append one miss; blank queries (nothing left after normalising) are ignored."""
        text = query.strip()[:MAX_QUERY_CHARS]
        norm = normalise(text)
        if not norm:
            return None
        when = at or datetime.now(UTC)
        score = None if top_score is None else round(float(top_score), 4)
        with self._connect() as conn:
            conn.execute("INSERT INTO misses (query, norm, lang, top_id, top_score, at) VALUES (?, ?, ?, ?, ?, ?)",
                         (text, norm, lang, top_id, score, _epoch(when)))
        return Miss(text, lang, top_id, score, when)

    def top(self, limit: int = 50, since: datetime | None = None) -> list[MissSummary]:
        """Groups ordered by count (then most recent); each carries the latest wording and top hit."""
        if limit < 1:
            raise ValueError("limit must be positive")
        floor = _epoch(since) if since is not None else float("-inf")
        sql = """
            WITH r AS (
                SELECT norm, query, lang, top_id, top_score, at,
                       COUNT(*) OVER (PARTITION BY norm) AS n, MIN(at) OVER (PARTITION BY norm) AS first_at,
                       ROW_NUMBER() OVER (PARTITION BY norm ORDER BY at DESC, id DESC) AS rn
                FROM misses WHERE at >= ?)
            SELECT norm, query, n, first_at, at, lang, top_id, top_score FROM r WHERE rn = 1
            ORDER BY n DESC, at DESC, norm LIMIT ?"""
        with self._connect() as conn:
            rows = conn.execute(sql, (floor, limit)).fetchall()
        return [MissSummary(norm, query, int(n), _from_epoch(first), _from_epoch(last), lang, top_id, score)
                for norm, query, n, first, last, lang, top_id, score in rows]

    def count(self) -> int:
        """Total number of recorded misses."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM misses").fetchone()[0])


def record_result(log: MissLog, result: Mapping[str, Any], at: datetime | None = None) -> Miss | None:
    """Record a ``/search`` result that came back out of scope; in-scope results are ignored."""
    if result.get("in_scope"):
        return None
    hits = result.get("hits") or []
    top = hits[0] if hits else None
    return log.record(str(result.get("query") or ""), result.get("lang"), top["id"] if top else None,
                      float(top["score"]) if top else None, at)
