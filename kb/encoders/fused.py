"""Fused encoder: concatenation of several normalised encoders, each weighted to keep unit length."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kb.encoders.base import Encoder, Kind


class FusedEncoder:
    """Concatenates member vectors times sqrt(1/n), so the dot product is the mean cosine."""

    def __init__(self, members: Sequence[Encoder], name: str = "fused") -> None:
        if not members:
            raise ValueError("a fused encoder needs at least one member")
        self.members = list(members)
        self.name = name
        self.dim = sum(m.dim for m in self.members)
        self._weight = math.sqrt(1.0 / len(self.members))

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """Encode with every member and concatenate the weighted vectors."""
        parts = [m.encode(texts, kind) * self._weight for m in self.members]
        return np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)
