"""While a conversation waits for a person: what a customer message is, and what it adds (pure).

The bridge keeps the bot answering while nobody has claimed the conversation; these functions
decide which messages it must not answer (a choice between waiting and the bot, a nudge about
the wait, a message that itself is a reason for a human) and which reasons are new.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from shoptext import normalise

WaitingKind = Literal["keep_waiting", "bot_help", "nudge", "question"]
KEEP_WAITING = "/keep_waiting"
BOT_HELP = "/bot_help"
_NON_WORD = re.compile(r"[\W_]+")
# a trailing particle does not change what a nudge means (人呢啊, 在吗呀), nor saying it twice
_PARTICLES = "(?:[ 啊呀呢吗嘛吧哦啦哈么诶]*)"


def core(text: str) -> str:
    """The words of a message: normalised, punctuation and emoji replaced by single spaces."""
    return _NON_WORD.sub(" ", normalise(text)).strip()


def is_nudge(text: str, nudges: Sequence[re.Pattern[str]]) -> bool:
    """The whole message only chases the wait ("人呢？？", "any news?"); punctuation/emoji alone too."""
    words = core(text)
    if not words:
        return True
    return any(re.fullmatch(f"(?:(?:{p.pattern}){_PARTICLES})+", words) for p in nudges)  # 在吗在吗 too


def classify(text: str, nudges: Sequence[re.Pattern[str]], choice_titles: Mapping[str, Iterable[str]]) -> WaitingKind:
    """keep_waiting / bot_help (a choice's payload or title in any language), nudge, or a question."""
    stripped = text.strip()
    words = core(text)
    for payload, kind in ((KEEP_WAITING, "keep_waiting"), (BOT_HELP, "bot_help")):
        if stripped == payload or words in {core(t) for t in choice_titles.get(payload, ())}:
            return kind  # type: ignore[return-value]
    return "nudge" if is_nudge(text, nudges) else "question"


def cites(reason: Mapping[str, Any], index: int) -> bool:
    """Whether the decision names the turn at `index` as (one of) the reason's triggers."""
    return any(isinstance(m, Mapping) and m.get("index") == index for m in reason.get("messages") or [])


def triggered_by(reasons: Iterable[Mapping[str, Any]], index: int) -> bool:
    """The message at `index` itself is a reason for a human (not just an older message in the window)."""
    return any(cites(r, index) for r in reasons)


def cites_any(reason: Mapping[str, Any]) -> bool:
    return any(isinstance(m, Mapping) and m.get("index") is not None for m in reason.get("messages") or [])


def declined_reasons_only(reasons: Iterable[Mapping[str, Any]]) -> bool:
    """After the customer chose the bot over the queue, reasons that name no message (VIP tier,
    order value) were already on the table: they alone do not send the customer back."""
    return not any(cites_any(r) for r in reasons)
