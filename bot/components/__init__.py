"""Custom Rasa NLU components of the bot."""

from bot.components.language import LanguageDetector, detect_language

__all__ = ["LanguageDetector", "detect_language"]
