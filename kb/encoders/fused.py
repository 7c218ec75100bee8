"""Fused encoder: concatenation of several normalised encoders, each weighted to keep unit length."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kb.encoders.base import Encoder, Kind


class FusedEncoder:
    """Concatenates member vectors times sqrt(w_i) (weights summing to 1), so the dot product
    is the weighted mean of the members' cosines and vectors stay unit length."""

    def __init__(self, members: Sequence[Encoder], name: str = "fused",
                 weights: Sequence[float] | None = None) -> None:
        if not members:
            raise ValueError("a fused encoder needs at least one member")
        raw = list(weights) if weights is not None else [1.0] * len(members)
        if len(raw) != len(members) or min(raw) < 0 or sum(raw) <= 0:
            raise ValueError("fusion weights must be non-negative, one per member")
        self.members = list(members)
        self.name = name
        self.dim = sum(m.dim for m in self.members)
        self.weights = [w / sum(raw) for w in raw]

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """Encode with every member and concatenate the weighted vectors."""
        parts = [m.encode(texts, kind) * math.sqrt(w) for m, w in zip(self.members, self.weights, strict=True)]
        return np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)
