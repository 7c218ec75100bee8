"""Read and validate conf/kb.yaml once into a frozen settings object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.calibrate import CalibrationRule
from kb.paths import default_config_path
from kb.ranking import SearchSettings
from kb.records import ANSWER_ROW_MODES

ENCODER_NAMES = ("fused", "e5-small", "use-m3", "hashing")


class ConfigError(ValueError):
    """conf/kb.yaml is missing a field or holds an invalid value."""


@dataclass(frozen=True)
class KBConfig:
    """Validated knowledge-base settings."""

    encoder: str = "fused"
    threshold: float = 0.6
    margin_threshold: float = 0.1
    min_ood_rejected: float = 0.95
    top_k: int = 5
    torch_threads: int = 2
    warmup: tuple[str, ...] = ("订单什么时候发货", "where is my parcel")
    fusion_weights: tuple[float, float] = (0.8, 0.2)
    lexical_weight: float = 0.1
    product_name_weight: float = 0.1
    scope_mix: tuple[float, float] = (0.5, 0.5)
    rank_mix: tuple[tuple[str, tuple[float, float]], ...] = (("en", (0.7, 0.3)),)
    anchors: bool = True
    anchor_set: str = "scope_anchors"
    answer_rows: str = "none"
    answer_penalty: float = 0.0
    product_named_in_scope: bool = False
    scope_threshold: float | None = None
    auto_threshold: bool = True
    calibration_offtopic_rejected: float = 0.97
    calibration_loo_kept: float = 0.95

    def search_settings(self) -> SearchSettings:
        """The hybrid-ranking and scope settings a KnowledgeBase searches with."""
        return SearchSettings(lexical=float(self.lexical_weight), product_name=float(self.product_name_weight),
                              scope_mix=tuple(float(w) for w in self.scope_mix), rank_mix=self.rank_mix,
                              default_margin=float(self.margin_threshold), anchors=bool(self.anchors),
                              anchor_set=str(self.anchor_set), answer_rows=str(self.answer_rows),
                              answer_penalty=float(self.answer_penalty),
                              product_named_in_scope=bool(self.product_named_in_scope))

    def calibration_rule(self) -> CalibrationRule | None:
        """How a KB calibrates its own threshold when saved (None: automatic threshold off)."""
        if not self.auto_threshold:
            return None
        return CalibrationRule(offtopic_rejected=float(self.calibration_offtopic_rejected),
                               loo_kept=float(self.calibration_loo_kept))

    def kb_options(self) -> dict[str, Any]:
        """Keyword arguments of KnowledgeBase.open / KnowledgeBase(...) that come from this config."""
        return {"default_threshold": float(self.threshold), "settings": self.search_settings(),
                "calibration": self.calibration_rule(),
                "threshold_override": None if self.scope_threshold is None else float(self.scope_threshold)}


def _rank_mix(raw: object, source: str) -> tuple[tuple[str, tuple[float, float]], ...]:
    """``{lang: [e5, use]}`` -> sorted pairs; a language left out uses the fused cosine as built."""
    if raw is None:
        return ()
    ok = isinstance(raw, dict) and all(
        lang in ("zh", "en") and isinstance(mix, list) and len(mix) == 2
        and all(isinstance(w, int | float) and w >= 0 for w in mix) and sum(mix) > 0
        for lang, mix in raw.items())
    if not ok:
        raise ConfigError(f"{source}: rank_mix must map zh/en to two non-negative numbers (e5-small, use-m3)")
    assert isinstance(raw, dict)
    return tuple((lang, (float(mix[0]), float(mix[1]))) for lang, mix in sorted(raw.items()))


def parse_config(raw: object, source: str = "conf/kb.yaml") -> KBConfig:
    """Validate a mapping read from YAML; unknown keys and bad values raise ConfigError."""
    if raw is None:
        return KBConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    known = set(KBConfig.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {sorted(unknown)}")
    values: dict[str, Any] = {k: tuple(v) if k in ("warmup", "fusion_weights", "scope_mix") else v for k, v in raw.items()}
    if "rank_mix" in values:
        values["rank_mix"] = _rank_mix(values["rank_mix"], source)
    cfg = KBConfig(**values)
    if cfg.encoder not in ENCODER_NAMES:
        raise ConfigError(f"{source}: encoder must be one of {ENCODER_NAMES}, not {cfg.encoder!r}")
    if not -1.0 <= float(cfg.threshold) <= 1.0:
        raise ConfigError(f"{source}: threshold must be a cosine in [-1, 1]")
    if not 0.0 < float(cfg.min_ood_rejected) <= 1.0:
        raise ConfigError(f"{source}: min_ood_rejected must be in (0, 1]")
    if len(cfg.fusion_weights) != 2 or min(cfg.fusion_weights) < 0 or sum(cfg.fusion_weights) <= 0:
        raise ConfigError(f"{source}: fusion_weights must be two non-negative numbers (e5-small, use-m3)")
    if len(cfg.scope_mix) != 2 or min(cfg.scope_mix) < 0 or sum(cfg.scope_mix) <= 0:
        raise ConfigError(f"{source}: scope_mix must be two non-negative numbers (e5-small, use-m3)")
    if float(cfg.lexical_weight) < 0 or float(cfg.product_name_weight) < 0:
        raise ConfigError(f"{source}: lexical_weight and product_name_weight must be >= 0")
    if cfg.answer_rows not in ANSWER_ROW_MODES:
        raise ConfigError(f"{source}: answer_rows must be one of {ANSWER_ROW_MODES}, not {cfg.answer_rows!r}")
    if float(cfg.answer_penalty) < 0:
        raise ConfigError(f"{source}: answer_penalty must be >= 0")
    if not isinstance(cfg.product_named_in_scope, bool) or not isinstance(cfg.anchors, bool):
        raise ConfigError(f"{source}: product_named_in_scope and anchors must be true or false")
    if cfg.anchor_set not in ("scope_anchors", "offtopic"):
        raise ConfigError(f"{source}: anchor_set must be scope_anchors or offtopic")
    if cfg.scope_threshold is not None and not isinstance(cfg.scope_threshold, int | float):
        raise ConfigError(f"{source}: scope_threshold must be a number or null (automatic)")
    for key in ("calibration_offtopic_rejected", "calibration_loo_kept"):
        if not 0.5 <= float(getattr(cfg, key)) <= 1.0:
            raise ConfigError(f"{source}: {key} must be in [0.5, 1]")
    if int(cfg.top_k) < 1 or int(cfg.torch_threads) < 1:
        raise ConfigError(f"{source}: top_k and torch_threads must be positive")
    return cfg


def load_config(path: Path | None = None) -> KBConfig:
    """Load conf/kb.yaml (or ``path``); a missing file gives the defaults."""
    path = path or default_config_path()
    if not path.exists():
        return KBConfig()
    with path.open(encoding="utf-8") as fh:
        return parse_config(yaml.safe_load(fh), str(path))
