"""What the customer is told at each step, in their language (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.waiting import BOT_HELP, KEEP_WAITING

# The two choices offered while a customer waits (payload → title per language); the chat shows
# them as buttons and sends the title, the bridge recognises either.
CHOICE_TITLES: dict[str, dict[str, str]] = {
    KEEP_WAITING: {"zh": "继续等待人工", "en": "Keep waiting for a person"},
    BOT_HELP: {"zh": "让智能助手帮我", "en": "Let the assistant help"},
}


@dataclass(frozen=True)
class Wait:
    """Where a waiting customer stands: a queue position and expected wait, or a ticket's reply time."""

    position: int | None = None
    wait_seconds: float | None = None
    reply_by: datetime | None = None


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def queued(lang: str, position: int, wait_seconds: float) -> str:
    if lang == "en":
        return (f"I'm passing you to a human colleague. You are number {position} in the queue; "
                f"the expected wait is about {_minutes(wait_seconds)} minute(s). Your messages are kept, "
                f"so you can keep writing here.")
    return (f"亲，正在为您转接人工客服。您前面排队第 {position} 位，预计等待约 {_minutes(wait_seconds)} 分钟。"
            f"您的消息都已保存，可以继续在这里留言。")


def ticket(lang: str, reply_by: datetime, closed: bool) -> str:
    when = reply_by.strftime("%Y-%m-%d %H:%M")
    if lang == "en":
        why = "Our team is offline right now" if closed else "No colleague is free right now"
        return (f"{why}, so I've created a ticket with everything you've written. A colleague will reply here "
                f"by {when} (shop time) at the latest. You can add details in the meantime.")
    why = "现在是非工作时间" if closed else "目前暂时没有空闲的人工客服"
    return f"亲，{why}，已为您创建工单并保存了全部对话，客服最晚会在 {when}（店铺时间）前在这里回复您，期间可以继续补充信息。"


def agent_joined(lang: str, name: str) -> str:
    return f"{name} has joined the conversation." if lang == "en" else f"人工客服 {name} 已接入，正在为您服务。"


def handed_back(lang: str) -> str:
    if lang == "en":
        return "You're back with our assistant. Ask for a person any time."
    return "亲，接下来由智能助手继续为您服务，需要人工随时说“转人工”。"


def bot_silent(lang: str) -> str:
    if lang == "en":
        return "Sorry, I didn't quite get that. Could you put it another way? Or say \"human\" to talk to a person."
    return "抱歉亲，我没能理解您的意思，可以换个说法再问一次吗？需要人工的话请说“转人工”。"


def bot_down(lang: str) -> str:
    if lang == "en":
        return ("Our assistant is briefly unavailable. Your message is saved; you will get an answer here as "
                "soon as it is back, or a colleague will take over.")
    return "亲，智能助手暂时无法回复，您的消息已保存，恢复后会马上在这里回复您，必要时将由人工客服接手。"


def rating_request(lang: str) -> str:
    if lang == "en":
        return "This conversation is closed. How satisfied are you with the help you received? (1 = poor, 5 = great)"
    return "本次服务已结束，请为我们的服务打分（1 分很不满意，5 分非常满意）。"


def rating_thanks(lang: str, rating: int) -> str:
    return f"Thank you for rating us {rating}/5." if lang == "en" else f"感谢您的评价（{rating} 分）！"


def _when(reply_by: datetime) -> str:
    return reply_by.strftime("%Y-%m-%d %H:%M")


def _standing(lang: str, wait: Wait) -> str:
    if wait.reply_by is not None:
        if lang == "en":
            return f"a colleague will reply here by {_when(wait.reply_by)} (shop time) at the latest"
        return f"客服最晚会在 {_when(wait.reply_by)}（店铺时间）前在这里回复您"
    minutes = _minutes(wait.wait_seconds or 0.0)
    if lang == "en":
        return f"you are number {wait.position} in the queue, about {minutes} minute(s) to go"
    return f"您当前排队第 {wait.position} 位，预计还需等待约 {minutes} 分钟"


def still_waiting(lang: str, wait: Wait) -> str:
    """The answer to a nudge, or to a message that is itself for the human: still with the team."""
    if lang == "en":
        return (f"Your request is still with our team: {_standing(lang, wait)}. Everything you write here is kept "
                f"for the colleague.")
    return f"亲，您的问题仍在人工客服处理中，{_standing(lang, wait)}。您的留言都已保存，客服接入后会第一时间看到。"


def kept_waiting(lang: str, wait: Wait) -> str:
    if lang == "en":
        return f"Sure, you keep your place: {_standing(lang, wait)}."
    return f"好的亲，已为您保留人工服务，{_standing(lang, wait)}。"


def waiting_choices(lang: str, wait: Wait) -> str:
    """Said with the bot's first answer while the customer waits; the choices come as buttons."""
    if lang == "en":
        return (f"Your request for a person is still with our team ({_standing(lang, wait)}). Until a colleague "
                f"joins, I can keep answering your other questions. Keep waiting for a person, or let the "
                f"assistant help?")
    return (f"亲，您的人工服务请求仍在处理中（{_standing(lang, wait)}）。在客服接入前，智能助手可以继续回答您的"
            f"其他问题。您想继续等待人工，还是让智能助手来帮您？")


def choice_buttons(lang: str) -> list[dict[str, Any]]:
    key = "en" if lang == "en" else "zh"
    return [{"title": titles[key], "payload": payload} for payload, titles in CHOICE_TITLES.items()]


def withdrawn(lang: str) -> str:
    if lang == "en":
        return "OK, I've taken you out of the queue and the assistant will help you from here. Say \"human\" any time."
    return "好的亲，已为您取消人工排队，接下来由智能助手为您服务，需要人工随时说“转人工”。"
