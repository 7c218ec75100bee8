"""Explainable handoff decision: should a human take this conversation over, and why."""

from .config import ConfigError, HandoffConfig, load_config, parse_config
from .decide import assess
from .emotion import EmotionScorer, LexiconScorer
from .records import REASON_CODES, Customer, Decision, Message, Order, Reason

__all__ = [
    "REASON_CODES",
    "ConfigError",
    "Customer",
    "Decision",
    "EmotionScorer",
    "HandoffConfig",
    "LexiconScorer",
    "Message",
    "Order",
    "Reason",
    "assess",
    "load_config",
    "parse_config",
]
