"""Jieba tokenizer that drops whitespace and punctuation-only tokens (jieba keeps them)."""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.components.text_rules import keep_token


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True
)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer for mixed Chinese/English text without blank or punctuation tokens."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenize with jieba, then drop tokens without letters, digits or CJK."""
        tokens = super().tokenize(message, attribute)
        kept = [token for token in tokens if keep_token(token.text)]
        # Rasa needs at least one token per message; keep the original list otherwise.
        return kept or tokens
