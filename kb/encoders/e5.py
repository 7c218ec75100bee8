"""multilingual-e5-small encoder loaded with sentence-transformers from the rebuilt folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kb.encoders.base import Kind, l2_normalise, prepare_texts


class E5Encoder:
    """e5-small; queries and passages both get the "query: " prefix (symmetric FAQ matching)."""

    name = "e5-small"
    dim = 384

    def __init__(self, folder: Path, threads: int | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if not (Path(folder) / "model.safetensors").exists():
            raise FileNotFoundError(
                f"e5 model folder {folder} is missing; run `python -m kb prepare-encoder`")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(
            str(folder), device="cpu", model_kwargs={"add_pooling_layer": False})
        self._model.max_seq_length = 256

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        """Encode with the e5 prefix; both kinds use "query: " since FAQ matching is symmetric."""
        items = prepare_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [f"query: {t}" for t in items]
        vecs = self._model.encode(prefixed, batch_size=64, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return l2_normalise(vecs)
