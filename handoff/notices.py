"""What the customer is told at each step, in their language (pure)."""

from __future__ import annotations

import math
from datetime import datetime


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
