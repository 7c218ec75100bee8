"""Jieba tokenizer that drops whitespace and punctuation-only tokens (jieba keeps them)."""

from __future__ import annotations

import re
from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

# A token is kept when it has at least one letter, digit or CJK character.
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def keep_token(text: Text) -> bool:
    """Whether a jieba token carries content (not only spaces or punctuation)."""
    return bool(_CONTENT.search(text))


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
