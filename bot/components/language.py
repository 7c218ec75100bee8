"""Rasa NLU component that tags every message with its language (entity `lang`: zh or en)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

LANG_ENTITY = "lang"

# CJK ideographs (incl. extension A and compatibility), kana, Hangul, CJK punctuation excluded.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
# Latin words; order ids (E + 10 digits) and bare numbers are not language evidence.
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_ORDER_ID = re.compile(r"\b[Ee]\d{10}\b")


def detect_language(text: str) -> Optional[str]:
    """Return "zh", "en" or None (no evidence, e.g. only digits, emoji or an intent payload).

    Any CJK character makes the message Chinese unless Latin words clearly dominate
    ("我的order" is zh; "where is my parcel 谢谢" is en).
    """
    if not text or text.startswith("/"):
        return None
    cleaned = _ORDER_ID.sub(" ", text)
    cjk = len(_CJK.findall(cleaned))
    latin_words = len(_LATIN_WORD.findall(cleaned))
    if cjk == 0:
        return "en" if latin_words else None
    return "en" if latin_words >= 3 and latin_words >= 2 * cjk else "zh"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds the entity `lang` (zh/en) to every message; the domain maps it to slot `lang`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            lang = detect_language(message.get(TEXT) or "")
            if lang is None:
                continue
            text = message.get(TEXT) or ""
            entity = {
                "entity": LANG_ENTITY,
                "value": lang,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
                "extractor": self.__class__.__name__,
            }
            others = [e for e in message.get(ENTITIES, []) if e.get("entity") != LANG_ENTITY]
            message.set(ENTITIES, others + [entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples are not tagged: `lang` must never be learned by DIET.
        return training_data
