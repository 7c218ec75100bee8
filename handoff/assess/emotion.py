"""Emotion scoring contract, intensity cues (!!!, ？？？, CAPS, swearing) and the fallback lexicon scorer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .config import PatternSet
from .matching import find_matches
from .text import normalise


@runtime_checkable
class EmotionScorer(Protocol):
    """Anything that maps customer messages to P(angry or distressed) in [0, 1]."""

    @property
    def name(self) -> str:
        """Short identifier reported with the decision."""
        ...

    def score(self, texts: Sequence[str]) -> list[float]:
        """One probability per text, same order."""
        ...


@dataclass(frozen=True)
class Cues:
    """Surface signs of intensity in one message; `intensity` sums them into [0, 1]."""

    exclamations: float
    questions: float
    caps: float
    swearing: float
    swear_terms: tuple[str, ...]

    @property
    def intensity(self) -> float:
        return min(1.0, self.exclamations + self.questions + self.caps + self.swearing)

    def as_vector(self) -> list[float]:
        """Feature vector for the learned model (same order at training and at scoring)."""
        return [self.exclamations, self.questions, self.caps, self.swearing, self.intensity]


_BANG_RUN = re.compile(r"!{2,}")
_QUESTION_RUN = re.compile(r"[?]{2,}|[?!]{3,}")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CAPS_IGNORE = frozenset({"OK", "ID", "TV", "VIP", "DHL", "UPS", "USPS", "SF", "EMS", "USB", "HDMI", "LED", "XL", "XXL"})


def _caps_score(text: str) -> float:
    words = [w for w in _WORD.findall(text) if w not in _CAPS_IGNORE]
    caps = [w for w in words if w.isupper()]
    if len(caps) >= 2 and len(caps) / len(words) >= 0.6:
        return 0.45
    if any(len(w) >= 3 for w in caps) and len(words) >= 3:
        return 0.2
    return 0.0


def cue_features(text: str, swearing: PatternSet) -> Cues:
    """Intensity cues of one raw message (punctuation is width-normalised, swearing matched on normalised text)."""
    flat = unicodedata.normalize("NFKC", text)
    bangs = flat.count("!")
    exclam = 0.5 if bangs >= 5 else 0.35 if (bangs >= 3 or _BANG_RUN.search(flat)) else 0.1 if bangs else 0.0
    questions = 0.3 if _QUESTION_RUN.search(flat) else 0.0
    terms = tuple(find_matches(normalise(text), swearing))
    swear = (1.0 if len(terms) >= 2 else 0.7) if terms else 0.0
    return Cues(exclam, questions, _caps_score(flat), swear, terms)


def combine(p_model: float, cues: Cues, swearing_weight: float) -> float:
    """Noisy-or of the model's calibrated probability and the weighted insult/swearing cue.

    Punctuation runs and capitals are only features of the model: on their own they show urgency,
    not anger ("???" is a nudge), so they never raise the score directly.
    """
    return 1.0 - (1.0 - p_model) * (1.0 - swearing_weight * cues.swearing)


_NEGATIVE_TERMS = re.compile(
    "太差|差劲|失望|搞什么|什么意思|怎么回事|受不了|无语|服了|离谱|太慢|到底|多少次|一直|催了|烦死|急死|崩溃|"
    "不想要了|生气|气人|骗|过分|忍|投诉|差评|退钱|别敷衍|敷衍|什么态度|态度|有没有搞错|搞错|没人管|"
    r"\b(terrible|awful|horrible|worst|disappointed|fed up|sick of|annoyed|angry|upset|frustrat\w*|how many times|"
    r"again|ridiculous|unacceptable|never|nobody|refund now|waste)\b",
)


class LexiconScorer:
    """Keyword fallback used when no trained model exists; deterministic, no I/O."""

    name = "lexicon"

    def score(self, texts: Sequence[str]) -> list[float]:
        out = []
        for text in texts:
            hits = len(_NEGATIVE_TERMS.findall(normalise(text)))
            out.append(min(0.9, 0.1 + 0.25 * hits))
        return out
