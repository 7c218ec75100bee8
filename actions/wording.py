"""The bot's wording lives in domain.yml: sentences are responses the actions send by name
(`say`), and the value names put into them (order status, delay cause, payment method …) are
the file's `labels:` section, read here and reloaded whenever the file changes."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

LANGS = ("zh", "en")
Labels = dict[str, dict[str, dict[str, str]]]


class WordingError(ValueError):
    """The labels section of the domain file is missing or malformed; the message says where."""


def domain_file() -> Path:
    return Path(os.environ.get("BOT_DOMAIN_FILE") or Path(__file__).resolve().parents[1] / "domain.yml")


def validate_labels(raw: Any, where: str) -> Labels:
    """`labels: {group: {value: {zh: ..., en: ...}}}` with both languages for every value."""
    labels = raw.get("labels") if isinstance(raw, dict) else None
    if not isinstance(labels, dict) or not labels:
        raise WordingError(f"{where}: no `labels:` section")
    for group, values in labels.items():
        if not isinstance(values, dict):
            raise WordingError(f"{where}: labels.{group} must map values to texts")
        for value, texts in values.items():
            if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) for lang in LANGS):
                raise WordingError(f"{where}: labels.{group}.{value} needs a zh and an en text")
    return labels


@lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int) -> Labels:
    return validate_labels(yaml.safe_load(Path(path).read_text(encoding="utf-8")), path)


def labels() -> Labels:
    path = domain_file()
    return _load(str(path), path.stat().st_mtime_ns)


def label(group: str, value: str, lang: str, **fill: object) -> str:
    """The name of `value` in `group` for the customer's language; an unknown value shows as itself."""
    texts = labels().get(group, {}).get(value)
    if texts is None:
        return value
    text = texts["en" if lang == "en" else "zh"]
    return text.format(**fill) if fill else text


def say(dispatcher: CollectingDispatcher, response: str, buttons: list[dict[str, Any]] | None = None,
        **facts: Any) -> None:
    """Send domain response `response`; Rasa fills its {variables} from `facts` and picks the language."""
    if buttons:
        dispatcher.utter_message(response=response, buttons=buttons, **facts)
    else:
        dispatcher.utter_message(response=response, **facts)
