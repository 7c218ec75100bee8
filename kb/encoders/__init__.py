"""Sentence encoders behind one interface; pick one by name (see conf/kb.yaml)."""

from __future__ import annotations

from pathlib import Path

from kb.encoders.base import Encoder, Kind, l2_normalise, prepare_texts, to_simplified

__all__ = ["Encoder", "Kind", "create_encoder", "encoder_id", "l2_normalise", "prepare_texts", "to_simplified"]


def encoder_id(name: str, fusion_weights: tuple[float, float] = (0.8, 0.2)) -> str:
    """The name an encoder records in a KB manifest (fused includes its weights)."""
    if name != "fused":
        return name
    return f"fused[{fusion_weights[0]:g},{fusion_weights[1]:g}]"


def create_encoder(name: str, model_dir: Path | None = None, torch_threads: int | None = None,
                   fusion_weights: tuple[float, float] = (0.8, 0.2)) -> Encoder:
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

        return FusedEncoder([E5Encoder(folder, threads=torch_threads), UseEncoder()],
                            name=encoder_id(name, fusion_weights),
                            weights=fusion_weights)
    raise ValueError(f"unknown encoder {name!r}; choose fused, e5-small, use-m3 or hashing")
