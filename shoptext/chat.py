"""Clean real chat text before it is featurised: placeholders, links, order cards, emoji, punctuation runs.

Real customer messages carry things no training example has: the platform's anonymisation
placeholders (``[订单x]``, ``[数字x]``), pasted links, order cards the chat client appends
(``咨询订单号:… 订单金额:… 下单时间:…``), emoji and emoticon codes, ``？？？？`` and traditional
characters. ``clean_chat`` maps each to a short, stable word in the message's language so the
classifier and the encoders see ordinary text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from shoptext.lang import detect_language
from shoptext.normalise import to_simplified

# Placeholder name → (zh word, en word); "" drops it (a name carries no meaning for the intent).
_PLACEHOLDER_WORDS: dict[str, tuple[str, str]] = {
    "订单": ("订单号", "order number"),
    "数字": ("2", "2"),
    "金额": ("金额", "amount"),
    "日期": ("日期", "date"),
    "时间": ("时间", "time"),
    "姓名": ("", ""),
    "地址": ("地址", "address"),
    "电话": ("电话", "phone"),
    "手机号": ("电话", "phone"),
    "站点": ("站点", "station"),
    "身份证号": ("身份证号", "id number"),
    "邮箱": ("邮箱", "email"),
    "组织机构": ("公司", "company"),
    "链接": ("链接", "link"),
}
_PLACEHOLDER = re.compile(r"\[([\u4e00-\u9fff]{1,6})[xX]\]")
_EMOTICON_CODE = re.compile(r"#E-[a-z]\d*(?:\[[^\]]{1,8}\])?")
# Bracketed emoticon names such as [微笑] / [发怒]: the word is kept, the brackets go.
_BRACKET_WORD = re.compile(r"\[([\u4e00-\u9fff]{1,4})\](?!\()")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？]+", re.IGNORECASE)
# An order card: "field: value" pairs the chat client appends, e.g. 咨询订单号:… 订单金额:… 下单时间:….
_CARD_FIELD = re.compile(
    r"(?:咨询)?(?:订单(?:编?号|金额|状态)|下单时间|商品(?:名称|编号|id)|购买数量|sku)\s*[:：]\s*"
    r"(?:\[[^\]]{1,8}\]|[\w.\-/]+)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?",
    re.IGNORECASE,
)
# The chat client's forwarding boilerplate before a card ("顾客通过点击web咚咚…信息发送:").
_CLIENT_BOILERPLATE = re.compile(r"顾客通过点击.{0,30}?信息发送\s*[:：]?")
_EMPTY_BRACKETS = re.compile(r"[\[【(（][\s,，:：;；、]*[\]】)）]")
_PUNCT_RUN = re.compile(r"([?!])[?!]{2,}")
_OTHER_RUN = re.compile(r"([。，,.~～…、;；])\1+")
_CHAR_RUN = re.compile(r"([^\d])\1{3,}")  # digits are left alone: order ids and amounts repeat them
_SPACES = re.compile(r"\s+")
_INVISIBLE = {"Cf", "Cc", "Co", "Cs"}


def _is_emoji(char: str) -> bool:
    cat = unicodedata.category(char)
    return cat in ("So", "Sk") and ord(char) > 0x2000 or cat in _INVISIBLE and char not in "\n\t"


def strip_placeholders(text: str) -> str:
    """The text without anonymisation placeholders, links, order-card fields and emoticon codes.

    A number placeholder becomes the digit 0, so "转[数字x]号客服" still reads as a numbered agent.
    """
    out = _URL.sub(" ", text or "")
    out = _CLIENT_BOILERPLATE.sub(" ", out)
    out = _CARD_FIELD.sub(" ", out)
    out = _PLACEHOLDER.sub(lambda m: "0" if m.group(1) == "数字" else " ", out)
    out = _EMOTICON_CODE.sub(" ", out)
    return _SPACES.sub(" ", out).strip()


def _placeholder_word(name: str, lang: str) -> str:
    zh, en = _PLACEHOLDER_WORDS.get(name, (name, name))
    return zh if lang == "zh" else en


@lru_cache(maxsize=8192)
def clean_chat(text: str) -> str:
    """Normalised text for NLU and search (idempotent; never empty unless the input is).

    NFKC width folding and traditional → simplified; links → a "link" word; an order card → one
    "order number" word; placeholders → a word for what they hide (names dropped); emoji and
    emoticon codes removed; runs of ?/! cut to two, other punctuation runs to one, a character
    repeated 4+ times to three; whitespace collapsed.
    """
    if not text:
        return text
    out = to_simplified(unicodedata.normalize("NFKC", text))
    out = _CLIENT_BOILERPLATE.sub(" ", out)
    lang = detect_language(strip_placeholders(out)) or "zh"
    link = _placeholder_word("链接", lang)
    out = _URL.sub(f" {link} ", out)
    had_card = bool(_CARD_FIELD.search(out))
    out = _CARD_FIELD.sub(" ", out)
    if had_card:
        out = f"{out} {_placeholder_word('订单', lang)}"
    out = _PLACEHOLDER.sub(lambda m: f" {_placeholder_word(m.group(1), lang)} " if lang == "en"
                           else _placeholder_word(m.group(1), lang), out)
    out = _EMOTICON_CODE.sub(" ", out)
    out = _BRACKET_WORD.sub(r" \1 ", out)
    out = _EMPTY_BRACKETS.sub(" ", out)
    out = "".join(" " if _is_emoji(c) else c for c in out)
    out = _PUNCT_RUN.sub(lambda m: m.group(0)[:2], out)
    out = _OTHER_RUN.sub(r"\1", out)
    out = _CHAR_RUN.sub(lambda m: m.group(1) * 3, out)
    cleaned = _SPACES.sub(" ", out).strip()
    return cleaned or _SPACES.sub(" ", text).strip()

