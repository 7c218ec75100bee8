"""Shared customer-text handling: one normaliser, one language detector, one order-id pattern.

Pure Python (standard library + opencc), importable from the Rasa venv (3.10) and the
application venv (3.11); used by the knowledge base, the NLU components, the actions and the bridge.
"""

from shoptext.chat import clean_chat, strip_placeholders
from shoptext.ids import CANONICAL_ORDER_ID, ORDER_ID, ORDER_ID_PATTERN, find_order_ids
from shoptext.lang import detect_language, language_or
from shoptext.normalise import normalise, to_simplified

__all__ = [
    "CANONICAL_ORDER_ID",
    "ORDER_ID",
    "ORDER_ID_PATTERN",
    "clean_chat",
    "detect_language",
    "find_order_ids",
    "language_or",
    "normalise",
    "strip_placeholders",
    "to_simplified",
]
