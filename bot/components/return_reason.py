"""Normalises the `return_reason` entity to `quality` / `personal` with keyword rules."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.text_rules import classify_return_reason

ENTITY = "return_reason"
VALUES = ("quality", "personal")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ReturnReasonNormalizer(GraphComponent, EntityExtractorMixin):
    """Replaces DIET's return_reason spans by one entity whose value is `quality` or `personal`.

    DIET's spans follow jieba's word boundaries ("破损了", "不 喜欢 这个"), so synonyms alone
    miss many; the keyword rules in `text_rules.classify_return_reason` decide the value.
    For the intents listed in `intents` the entity is also added when DIET found none.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": ["inform_return_reason", "return_goods", "exchange_goods", "shipping_insurance"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intents = set(config["intents"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ReturnReasonNormalizer":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise or add the return_reason entity of each message."""
        for message in messages:
            self._normalise(message)
        return messages

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        entities = message.get(ENTITIES) or []
        found = [e for e in entities if e.get("entity") == ENTITY]
        intent = (message.get(INTENT) or {}).get("name")
        if not found and intent not in self._intents:
            return
        value = classify_return_reason(text)
        if value is None:
            known = [e["value"] for e in found if e.get("value") in VALUES]
            value = known[0] if known else None
        others = [e for e in entities if e.get("entity") != ENTITY]
        if value is None:
            message.set(ENTITIES, others, add_to_output=True)
            return
        start = min((e.get("start", 0) for e in found), default=0)
        end = max((e.get("end", len(text)) for e in found), default=len(text))
        entity = {"entity": ENTITY, "value": value, "start": start, "end": end,
                  "confidence": 1.0, "extractor": self.__class__.__name__}
        message.set(ENTITIES, others + [entity], add_to_output=True)
