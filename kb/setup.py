"""Idempotent set-up step: prepare the encoder, sync demo/kb into the KB directory, calibrate its threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.calibrate import calibration_stamp
from kb.config import KBConfig, load_config
from kb.encoders import Encoder, create_encoder, encoder_id
from kb.knowledge_base import KnowledgeBase
from kb.loaders import load_files
from kb.paths import default_kb_dir, default_model_dir
from kb.records import content_hash
from kb.scope import anchors_hash, data_file, load_anchors

SCORING_VERSION = 3  # 3: clean_chat text, optional answer rows, automatic per-KB threshold


def scoring_stamp(cfg: KBConfig) -> dict[str, Any]:
    """What the index rows and the calibrated threshold depend on besides content and encoder."""
    settings = cfg.search_settings()
    return {"version": SCORING_VERSION, "lexical": settings.lexical, "product_name": settings.product_name,
            "scope_mix": list(settings.scope_mix), "rank_mix": {k: list(v) for k, v in settings.rank_mix},
            "anchors": anchors_hash(load_anchors(data_file(settings.anchor_set))) if settings.anchors else None,
            "answer_rows": settings.answer_rows, "answer_penalty": settings.answer_penalty}


def prepare_demo(repo_root: Path, kb_dir: Path | None = None, model_dir: Path | None = None,
                 config: KBConfig | None = None, encoder: Encoder | None = None) -> dict[str, Any]:
    """Make ``kb_dir`` (default $KB_DIR or var/kb) hold exactly ``demo/kb/``, encoded and calibrated.

    Quick when nothing changed: it validates the source files and compares content hashes and the
    calibration stamp without loading the model. Raises LoadError (file/line/field) on a bad source
    file, in which case the existing KB is left untouched. The in-scope threshold is the KB's own
    automatic one (kb/calibrate.py), as for any other shop: no labelled queries are needed.
    """
    repo_root = Path(repo_root)
    cfg = config or load_config(repo_root / "conf" / "kb.yaml")
    kb_dir = Path(kb_dir) if kb_dir else default_kb_dir()
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    enc_name = encoder.name if encoder else encoder_id(cfg.encoder, cfg.fusion_weights)
    report: dict[str, Any] = {"kb_dir": str(kb_dir), "encoder": enc_name}
    if encoder is None and cfg.encoder in ("fused", "e5-small"):
        from kb.encoders.e5_build import build_e5_folder

        report["model"] = build_e5_folder(model_dir).get("verification")

    entries = load_files([repo_root / "demo" / "kb"])
    current = KnowledgeBase.open(kb_dir, None, **cfg.kb_options())
    rule = cfg.calibration_rule()
    stamp_ok = rule is None or (current.manifest.get("calibration") or {}).get("stamp") == \
        calibration_stamp(current, rule)
    if (current.manifest.get("content_hash") == content_hash(entries) and current.manifest.get("encoder") == enc_name
            and current.manifest.get("scoring") == scoring_stamp(cfg) and stamp_ok
            and current.manifest.get("threshold") is None):
        report.update({"changed": False, "count": current.count(), "threshold": current.threshold,
                       "threshold_source": current.threshold_source})
        return report

    enc = encoder or create_encoder(cfg.encoder, model_dir, torch_threads=cfg.torch_threads,
                                    fusion_weights=cfg.fusion_weights)
    kb = KnowledgeBase.open(kb_dir, None, **cfg.kb_options())
    kb.encoder = enc
    kb.manifest.pop("threshold", None)  # a threshold tuned on the demo's dev queries (before issue 7)
    kb.manifest.pop("tuning", None)
    stale_rows = kb.index is not None and kb.index.row_count() > 0 and kb.manifest.get("scoring") != scoring_stamp(cfg)
    if kb.manifest.get("encoder") not in (None, enc.name) or stale_rows:
        kb.entries = entries
        kb.rebuild()
        change_summary: dict[str, Any] = {"rebuilt": True}
    else:
        change = kb.sync(entries)
        change_summary = {"added": len(change.added), "updated": len(change.updated),
                          "deleted": len(change.deleted)}
    kb.manifest["scoring"] = scoring_stamp(cfg)
    kb.save()  # calibrates the threshold
    report.update({"changed": True, **change_summary, "count": kb.count(), "threshold": kb.threshold,
                   "threshold_source": kb.threshold_source})
    return report
