"""Idempotent set-up step: prepare the encoder, sync demo/kb into the KB directory, tune the threshold."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from kb.config import KBConfig, load_config
from kb.encoders import Encoder, create_encoder, encoder_id
from kb.evaluate import load_queries, scores_for_tuning, tune_threshold
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files
from kb.paths import default_kb_dir, default_model_dir
from kb.records import content_hash
from kb.scope import anchors_hash, load_anchors

SCORING_VERSION = 2  # 2: hybrid ranking, scope score = margin over out-of-scope anchors


def _files_hash(paths: list[Path]) -> str | None:
    if not all(p.exists() for p in paths):
        return None
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scoring_stamp(cfg: KBConfig) -> dict[str, Any]:
    """What a tuned threshold depends on besides the encoder: ranking/scope settings and the anchors."""
    settings = cfg.search_settings()
    return {"version": SCORING_VERSION, "lexical": settings.lexical, "product_name": settings.product_name,
            "scope_mix": list(settings.scope_mix), "rank_mix": {k: list(v) for k, v in settings.rank_mix},
            "anchors": anchors_hash(load_anchors())}


def prepare_demo(repo_root: Path, kb_dir: Path | None = None, model_dir: Path | None = None,
                 config: KBConfig | None = None, encoder: Encoder | None = None) -> dict[str, Any]:
    """Make ``kb_dir`` (default $KB_DIR or var/kb) hold exactly ``demo/kb/``, encoded and tuned.

    Quick when nothing changed: it validates the source files and compares content hashes
    without loading the model. Raises LoadError (file/line/field) on a bad source file, in
    which case the existing KB is left untouched. Tunes on bench/data/kb_*_dev.json when present.
    """
    repo_root = Path(repo_root)
    cfg = config or load_config(repo_root / "conf" / "kb.yaml")
    kb_dir = Path(kb_dir) if kb_dir else default_kb_dir()
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    report: dict[str, Any] = {"kb_dir": str(kb_dir), "encoder": encoder_id(cfg.encoder, cfg.fusion_weights)}
    if encoder is None and cfg.encoder in ("fused", "e5-small"):
        from kb.encoders.e5_build import build_e5_folder

        report["model"] = build_e5_folder(model_dir).get("verification")

    entries = load_files([repo_root / "demo" / "kb"])
    dev = [repo_root / "bench" / "data" / "kb_queries_dev.json",
           repo_root / "bench" / "data" / "kb_ood_dev.json"]
    dev_hash = _files_hash(dev)
    current = KnowledgeBase.open(kb_dir, None, default_threshold=cfg.threshold)
    tuning = current.manifest.get("tuning", {}) if current.manifest else {}
    tuned_for = (tuning.get("dev_hash"), tuning.get("scoring"))
    if (current.manifest.get("content_hash") == content_hash(entries)
            and current.manifest.get("encoder") == (encoder.name if encoder else encoder_id(cfg.encoder, cfg.fusion_weights))
            and tuned_for == (dev_hash, scoring_stamp(cfg))):
        report.update({"changed": False, "count": current.count(), "threshold": current.threshold})
        return report

    enc = encoder or create_encoder(cfg.encoder, model_dir, torch_threads=cfg.torch_threads,
                                    fusion_weights=cfg.fusion_weights)
    kb = KnowledgeBase.open(kb_dir, None, default_threshold=cfg.threshold, settings=cfg.search_settings())
    kb.encoder = enc
    if kb.manifest.get("encoder") not in (None, enc.name):
        kb.entries = entries
        kb.rebuild()
        change_summary: dict[str, Any] = {"rebuilt": True}
    else:
        change = kb.sync(entries)
        change_summary = {"added": len(change.added), "updated": len(change.updated),
                          "deleted": len(change.deleted)}
    if dev_hash is not None:
        queries = [q for q in load_queries(dev[0]) if q.gold in kb.entries]
        ood = load_queries(dev[1], need_gold=False)
        in_scores, ood_scores = scores_for_tuning(kb, queries, ood)
        threshold, details = tune_threshold(in_scores, ood_scores, cfg.min_ood_rejected)
        details["dev_hash"], details["scoring"] = dev_hash, scoring_stamp(cfg)
        kb.set_threshold(threshold, details)
    kb.save()
    report.update({"changed": True, **change_summary, "count": kb.count(), "threshold": kb.threshold})
    return report
