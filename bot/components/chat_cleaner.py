"""Rasa NLU component that rewrites real chat text with ``shoptext.clean_chat`` before anything reads it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.text_rules import clean_message


# Registered as a message pre-processor (the tokenizer slot) so that Rasa runs it on the
# training data as well as on every incoming message; it must come first in the pipeline.
@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class ChatCleaner(GraphComponent):
    """Normalises placeholders, links, order cards, emoji, punctuation runs, traditional characters.

    Training examples and incoming messages get the same cleaning, so the featurizers never
    see ``[订单x]``, URLs or ``？？？？``. Order ids and annotated entity spans are kept intact
    (see ``text_rules.clean_message``). The tracker keeps the customer's original text.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChatCleaner":
        return cls()

    @staticmethod
    def _clean(message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        entities = message.get(ENTITIES) or []
        cleaned, moved = clean_message(text, entities)
        if cleaned != text:
            message.set(TEXT, cleaned)
            if entities:
                message.set(ENTITIES, moved)

    def process(self, messages: List[Message]) -> List[Message]:
        """Clean incoming messages in place."""
        for message in messages:
            self._clean(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Clean every training example the same way."""
        for message in training_data.training_examples:
            self._clean(message)
        return training_data
