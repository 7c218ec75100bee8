"""Extractive summary and bot-promise spotting for the agent's context packet (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shoptext import ORDER_ID

_SENTENCE = re.compile(r"[^。！？!?\n.]+[。！？!?.]?")
_CUES = re.compile(r"退款|退货|换货|取消|物流|快递|发票|运费|坏|破|延迟|没收到|差评|投诉|赔|refund|return|cancel|"
                   r"deliver|parcel|broken|damaged|late|invoice|complain", re.I)
_PROMISE = re.compile(r"会为您|将为您|保证|承诺|补偿|赔付|优惠券|退款.*(到账|处理)|已为您|we will|we'll|I will|I'll|"
                      r"guarantee|compensat|coupon|refund (will|is being)", re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 1]


def summarise(customer_texts: Sequence[str], max_sentences: int = 3) -> list[str]:
    """Pick the customer's key sentences: the opening problem, cue-bearing ones, the latest one."""
    # Greetings and one-word turns ("你好", "hi") say nothing about the problem.
    all_sentences = [s for text in customer_texts for s in sentences(text) if len(s) >= 4]
    if not all_sentences:
        return []
    scored = []
    for index, sentence in enumerate(all_sentences):
        score = 2.0 * bool(ORDER_ID.search(sentence)) + len(_CUES.findall(sentence)) + min(len(sentence), 40) / 40
        if index == 0:
            score += 1.5
        if index == len(all_sentences) - 1:
            score += 1.0
        scored.append((score, index))
    chosen = sorted(index for _, index in sorted(scored, reverse=True)[:max_sentences])
    return [all_sentences[i] for i in chosen]


def promises(bot_texts: Sequence[str]) -> list[str]:
    """Bot sentences that commit the shop to something (the agent must honour or correct them)."""
    return [s for text in bot_texts for s in sentences(text) if _PROMISE.search(s)]
