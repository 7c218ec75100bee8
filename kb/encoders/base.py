"""The encoder interface every sentence encoder implements, plus shared text normalisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from shoptext import clean_chat
from shoptext import to_simplified as _shared_to_simplified

Kind = Literal["query", "passage"]


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised, dtype float32."""
        ...


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified (shoptext's converter)."""
    return str(_shared_to_simplified(text))


def prepare_texts(texts: Sequence[str]) -> list[str]:
    """Normalise inputs for every encoder with the shared chat cleaner (``shoptext.clean_chat``:
    placeholders, links, order cards, emoji, punctuation runs, traditional→simplified)."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of strings, not a single string")
    return [" ".join(clean_chat(t).split()) for t in texts]


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length (zero rows stay zero)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)
