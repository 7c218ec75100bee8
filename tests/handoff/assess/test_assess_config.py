"""Configuration validation: bad files and fields are reported with the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from handoff.assess import ConfigError, load_config, parse_config
from handoff.assess.paths import default_config_path


def shipped() -> dict:
    return yaml.safe_load(default_config_path().read_text(encoding="utf-8"))


def test_shipped_config_loads() -> None:
    config = load_config()
    assert config.high_value.amount_threshold == 5000
    assert config.high_value.vip_tiers == frozenset({"gold", "platinum", "diamond"})
    assert config.bot_facts["requested_human"] == "explicit_human"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["anger"].update(threshold=1.5), "anger.threshold"),
        (lambda d: d["anger"].update(threshold="high"), "anger.threshold"),
        (lambda d: d["bot_failure"].update(min_fallbacks=0), "bot_failure.min_fallbacks"),
        (lambda d: d["high_value"].update(amount_threshold=True), "high_value.amount_threshold"),
        (lambda d: d["explicit_human"].update(patterns=[]), "explicit_human.patterns"),
        (lambda d: d["complaint_threat"]["patterns"].append("差评("), f"complaint_threat.patterns[{len(shipped()['complaint_threat']['patterns'])}]"),
        (lambda d: d["bot_facts"].update(requested_human="angry"), "bot_facts.requested_human"),
        (lambda d: d["bot_facts"].update(shouted=True), "bot_facts.shouted"),
        (lambda d: d["anger"].update(rising_min_turns=1), "anger.rising_min_turns"),
        (lambda d: d["high_value"].pop("pre_sales"), "high_value.pre_sales"),
        (lambda d: d.pop("needs_judgement"), "needs_judgement"),
        (lambda d: d["bot_failure"]["repeat"].update(ngram=9), "bot_failure.repeat.ngram"),
    ],
)
def test_invalid_field_is_named(mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    data = shipped()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data, "handoff.yaml")
    assert f"handoff.yaml: {field}:" in str(err.value)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "handoff.yaml"
    path.write_text("anger:\n  threshold: [0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"handoff\.yaml: line \d+: invalid YAML"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")
