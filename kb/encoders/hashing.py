"""Tiny dependency-free encoder (hashed character 1-2-grams) for tests and as a lexical baseline."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from kb.encoders.base import Kind, l2_normalise, prepare_texts


class HashingEncoder:
    """Bag of hashed character uni- and bi-grams; deterministic, no model needed."""

    name = "hashing"
    semantic = False  # similarity is shared spelling, not topic: no out-of-scope anchors (kb/scope.py)

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """Count hashed grams of the lower-cased, simplified text and normalise."""
        items = prepare_texts(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, text in enumerate(items):
            chars = [c for c in text.lower() if not c.isspace()]
            grams = chars + [a + b for a, b in zip(chars, chars[1:], strict=False)]
            for gram in grams:
                out[i, zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        return l2_normalise(out)
