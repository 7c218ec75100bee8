"""Out-of-scope gate: nearest training examples in USE space decide whether a message is off-topic."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.text_rules import has_scope_entity, has_shop_term, is_out_of_scope

logger = logging.getLogger(__name__)

USE_DIM = 512
SCOPE_KEY = "scope"


def sentence_vector(message: Message) -> Optional[np.ndarray]:
    """The dense 512-d USE sentence feature of the text, if a featurizer added one."""
    for feature in message.features:
        if (feature.attribute == TEXT and feature.type == "sentence" and feature.is_dense()
                and feature.features.shape[-1] == USE_DIM):
            vector = np.asarray(feature.features, dtype=np.float32).reshape(-1)
            norm = float(np.linalg.norm(vector))
            return vector / norm if norm else None
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class ScopeGate(GraphComponent, IntentClassifier):
    """Overrides the intent with `out_of_scope` for messages far from every in-scope example.

    Put it after the intent classifier and before FallbackClassifier; it needs
    `bot.components.use_featurizer.UseSentenceFeaturizer` earlier in the pipeline.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # in_scope_entities: a message carrying one of these (an order number) is about the shop.
        # in_scope_terms: words only shop conversations use (订单, 快递, 发票 …): such a message is
        # never rejected as out of scope, not even when the classifier itself says out_of_scope
        # (the next intent is used, and FallbackClassifier decides whether it is confident enough).
        return {"min_similarity": 0.45, "oos_margin": 0.05, "oos_intent": "out_of_scope",
                "in_scope_entities": ["order_id"], "in_scope_terms": []}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 vectors: Optional[np.ndarray] = None, in_scope: Optional[np.ndarray] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._vectors = vectors if vectors is not None else np.zeros((0, USE_DIM), np.float32)
        self._in_scope = in_scope if in_scope is not None else np.zeros(0, bool)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ScopeGate":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the USE vectors of all intent examples, marked in-scope or not."""
        vectors, flags = [], []
        for message in training_data.intent_examples:
            vector = sentence_vector(message)
            if vector is not None:
                vectors.append(vector)
                flags.append(message.get(INTENT) != self._config["oos_intent"])
        if not vectors:
            logger.warning("ScopeGate found no USE sentence features: the gate is disabled.")
        self._vectors = np.vstack(vectors) if vectors else np.zeros((0, USE_DIM), np.float32)
        self._in_scope = np.asarray(flags, dtype=bool)
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / "scope_gate.npz", vectors=self._vectors, in_scope=self._in_scope)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ScopeGate":
        try:
            with model_storage.read_from(resource) as directory:
                data = np.load(directory / "scope_gate.npz")
                return cls(config, model_storage, resource, data["vectors"], data["in_scope"])
        except (ValueError, FileNotFoundError):
            logger.warning("ScopeGate: no trained data found; the gate is disabled.")
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        """Record the nearest in-scope/out-of-scope similarities and override off-topic intents."""
        if not self._in_scope.any():
            return messages
        for message in messages:
            vector = sentence_vector(message)
            if vector is None or not message.get(INTENT):
                continue
            sims = self._vectors @ vector
            best_in = float(sims[self._in_scope].max())
            best_oos = float(sims[~self._in_scope].max()) if (~self._in_scope).any() else -1.0
            original = message.get(INTENT)
            message.set(SCOPE_KEY, {"in_scope_similarity": round(best_in, 4),
                                    "out_of_scope_similarity": round(best_oos, 4),
                                    "classifier_intent": original}, add_to_output=True)
            if has_scope_entity(message.get(ENTITIES), self._config["in_scope_entities"]):
                continue
            if has_shop_term(message.get(TEXT) or "", self._config.get("in_scope_terms") or []):
                self._keep_in_scope(message)
                continue
            if is_out_of_scope(best_in, best_oos, self._config["min_similarity"], self._config["oos_margin"]):
                self._override(message)
        return messages

    def _keep_in_scope(self, message: Message) -> None:
        """Replace a classifier's out_of_scope by its best in-scope intent (shop words present)."""
        name = self._config["oos_intent"]
        if (message.get(INTENT) or {}).get("name") != name:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        if not ranking:
            return
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _override(self, message: Message) -> None:
        name = self._config["oos_intent"]
        # Halve the classifier's scores so FallbackClassifier's ambiguity check keeps out_of_scope.
        ranking = [{**r, "confidence": r["confidence"] / 2}
                   for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        top = {"name": name, "confidence": 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
