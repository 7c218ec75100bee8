"""Sentence encoders behind one interface; pick one by name (see conf/kb.yaml)."""

from __future__ import annotations

from pathlib import Path

from kb.encoders.base import Encoder, Kind, l2_normalise, prepare_texts, to_simplified

__all__ = ["Encoder", "Kind", "create_encoder", "l2_normalise", "prepare_texts", "to_simplified"]


def create_encoder(name: str, model_dir: Path | None = None, torch_threads: int | None = None) -> Encoder:
    """Build the encoder called ``name``: "fused", "e5-small", "use-m3" or "hashing" (tests)."""
    from kb.paths import default_model_dir

    if name == "hashing":
        from kb.encoders.hashing import HashingEncoder

        return HashingEncoder()
    folder = model_dir or default_model_dir()
    if name == "e5-small":
        from kb.encoders.e5 import E5Encoder

        return E5Encoder(folder, threads=torch_threads)
    if name == "use-m3":
        from kb.encoders.use import UseEncoder

        return UseEncoder()
    if name == "fused":
        from kb.encoders.e5 import E5Encoder
        from kb.encoders.fused import FusedEncoder
        from kb.encoders.use import UseEncoder

        return FusedEncoder([E5Encoder(folder, threads=torch_threads), UseEncoder()], name="fused")
    raise ValueError(f"unknown encoder {name!r}; choose fused, e5-small, use-m3 or hashing")
