"""Load and validate conf/handoff.yaml into frozen settings; errors name the file and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .paths import default_config_path


class ConfigError(ValueError):
    """The handoff configuration is unreadable or a field is invalid."""


@dataclass(frozen=True)
class PatternSet:
    """Regexes matched on normalised text; spans matched by `exclude` are blanked out first."""

    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class AngerConfig:
    threshold: float
    swearing_weight: float
    rising_min_turns: int
    rising_min_last: float
    rising_min_increase: float
    persistent_min_score: float
    persistent_min_messages: int
    swearing: PatternSet


@dataclass(frozen=True)
class HighValueConfig:
    """Value policy: VIP trouble, big orders with a problem, pre-sales questions on high-ticket goods."""

    amount_threshold: float
    vip_tiers: frozenset[str]
    high_ticket_categories: frozenset[str]
    high_ticket_goods: PatternSet
    pre_sales: PatternSet
    after_purchase: PatternSet
    problem: PatternSet


@dataclass(frozen=True)
class BotFailureConfig:
    min_fallbacks: int
    misunderstood: PatternSet
    repeat_ngram: int
    repeat_min_jaccard: float
    repeat_min_chars: int


@dataclass(frozen=True)
class HandoffConfig:
    """All thresholds and keyword lists of the handoff decision."""

    lookback_customer_messages: int
    explicit_human: PatternSet
    anger: AngerConfig
    complaint_threat: PatternSet
    compensation: PatternSet
    liability: PatternSet
    safety: PatternSet
    high_value: HighValueConfig
    bot_failure: BotFailureConfig
    bot_facts: Mapping[str, str]


class _Reader:
    """Typed access into the parsed YAML that reports `file: a.b.c: problem`."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {field}: {problem}")

    def section(self, data: Mapping[str, Any], key: str, field: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(field, "missing or not a mapping")
        return value

    def number(self, data: Mapping[str, Any], key: str, field: str, lo: float, hi: float) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(field, f"must be a number, got {value!r}")
        if not lo <= float(value) <= hi:
            raise self.fail(field, f"must be between {lo} and {hi}, got {value}")
        return float(value)

    def integer(self, data: Mapping[str, Any], key: str, field: str, lo: int, hi: int) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be an integer, got {value!r}")
        if not lo <= value <= hi:
            raise self.fail(field, f"must be between {lo} and {hi}, got {value}")
        return value

    def strings(self, data: Mapping[str, Any], key: str, field: str, required: bool = True) -> tuple[str, ...]:
        value = data.get(key, None if required else [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(field, "must be a list of non-empty strings")
        if required and not value:
            raise self.fail(field, "must not be empty")
        return tuple(value)

    def regexes(self, data: Mapping[str, Any], key: str, field: str, required: bool = True) -> tuple[re.Pattern[str], ...]:
        out = []
        for i, text in enumerate(self.strings(data, key, field, required)):
            try:
                out.append(re.compile(text, re.IGNORECASE))
            except re.error as exc:
                raise self.fail(f"{field}[{i}]", f"bad regular expression {text!r}: {exc}") from None
        return tuple(out)

    def patterns(self, data: Mapping[str, Any], key: str, field: str) -> PatternSet:
        section = self.section(data, key, field)
        return PatternSet(
            include=self.regexes(section, "patterns", f"{field}.patterns"),
            exclude=self.regexes(section, "exclude", f"{field}.exclude", required=False),
        )


def parse_config(data: object, source: str = "<config>") -> HandoffConfig:
    """Validate parsed YAML and build the settings; raises ConfigError naming the field."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise r.fail("<top>", "must be a mapping")
    anger = r.section(data, "anger", "anger")
    judgement = r.section(data, "needs_judgement", "needs_judgement")
    hv = r.section(data, "high_value", "high_value")
    bf = r.section(data, "bot_failure", "bot_failure")
    rep = r.section(bf, "repeat", "bot_failure.repeat")
    return HandoffConfig(
        lookback_customer_messages=r.integer(data, "lookback_customer_messages", "lookback_customer_messages", 1, 1000),
        explicit_human=r.patterns(data, "explicit_human", "explicit_human"),
        anger=AngerConfig(
            threshold=r.number(anger, "threshold", "anger.threshold", 0.0, 1.0),
            swearing_weight=r.number(anger, "swearing_weight", "anger.swearing_weight", 0.0, 1.0),
            rising_min_turns=r.integer(anger, "rising_min_turns", "anger.rising_min_turns", 2, 100),
            rising_min_last=r.number(anger, "rising_min_last", "anger.rising_min_last", 0.0, 1.0),
            rising_min_increase=r.number(anger, "rising_min_increase", "anger.rising_min_increase", 0.0, 1.0),
            persistent_min_score=r.number(anger, "persistent_min_score", "anger.persistent_min_score", 0.0, 1.0),
            persistent_min_messages=r.integer(anger, "persistent_min_messages", "anger.persistent_min_messages", 1, 100),
            swearing=r.patterns(anger, "swearing", "anger.swearing"),
        ),
        complaint_threat=r.patterns(data, "complaint_threat", "complaint_threat"),
        compensation=r.patterns(judgement, "compensation", "needs_judgement.compensation"),
        liability=r.patterns(judgement, "liability", "needs_judgement.liability"),
        safety=r.patterns(judgement, "safety", "needs_judgement.safety"),
        high_value=HighValueConfig(
            amount_threshold=r.number(hv, "amount_threshold", "high_value.amount_threshold", 0.0, 1e12),
            vip_tiers=frozenset(t.lower() for t in r.strings(hv, "vip_tiers", "high_value.vip_tiers", required=False)),
            high_ticket_categories=frozenset(
                c.lower() for c in r.strings(hv, "high_ticket_categories", "high_value.high_ticket_categories", required=False)
            ),
            high_ticket_goods=r.patterns(hv, "high_ticket_goods", "high_value.high_ticket_goods"),
            pre_sales=r.patterns(hv, "pre_sales", "high_value.pre_sales"),
            after_purchase=r.patterns(hv, "after_purchase", "high_value.after_purchase"),
            problem=r.patterns(hv, "problem", "high_value.problem"),
        ),
        bot_failure=BotFailureConfig(
            min_fallbacks=r.integer(bf, "min_fallbacks", "bot_failure.min_fallbacks", 1, 100),
            misunderstood=r.patterns(bf, "misunderstood", "bot_failure.misunderstood"),
            repeat_ngram=r.integer(rep, "ngram", "bot_failure.repeat.ngram", 1, 5),
            repeat_min_jaccard=r.number(rep, "min_jaccard", "bot_failure.repeat.min_jaccard", 0.0, 1.0),
            repeat_min_chars=r.integer(rep, "min_chars", "bot_failure.repeat.min_chars", 1, 1000),
        ),
        bot_facts=_bot_facts(r, data),
    )


def _bot_facts(r: _Reader, data: Mapping[str, Any]) -> Mapping[str, str]:
    """`bot_facts`: fact the bot reports → the reason code it stands for."""
    from types import MappingProxyType

    from .records import FACTS, REASON_CODES

    section = r.section(data, "bot_facts", "bot_facts")
    out: dict[str, str] = {}
    for fact, code in section.items():
        if fact not in FACTS:
            raise r.fail(f"bot_facts.{fact}", f"unknown fact; known: {', '.join(FACTS)}")
        if code not in REASON_CODES:
            raise r.fail(f"bot_facts.{fact}", f"must be a reason code ({', '.join(REASON_CODES)}), got {code!r}")
        out[str(fact)] = str(code)
    return MappingProxyType(out)


def load_config(path: Path | None = None) -> HandoffConfig:
    """Read and validate the YAML file (default conf/handoff.yaml)."""
    path = path or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "<parse>"
        raise ConfigError(f"{path}: {where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_config(data, str(path))
