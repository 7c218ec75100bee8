"""What agents do to a conversation: claim, transfer, release, reply, note, hand back, close; customer rating.

Rasa is paused when an agent claims the conversation (until then the bot answers the waiting
customer) and resumed when the agent hands it back, closes it or gives it back to the queue.
"""

from __future__ import annotations

from handoff import notices
from handoff.errors import ApiError
from handoff.escalation import pause_bot, requeue, resume_bot
from handoff.services import Services
from handoff.store.records import Agent, Conversation, Message


def _conversation(svc: Services, conv_id: str) -> Conversation:
    conv = svc.store.conversation(conv_id)
    if conv is None:
        raise ApiError(404, "not_found", "no such conversation", "conversation_id")
    return conv


def _owned(svc: Services, conv_id: str, agent: Agent) -> Conversation:
    conv = _conversation(svc, conv_id)
    if conv.status != "agent":
        raise ApiError(409, "not_claimed", f"the conversation is '{conv.status}', claim it first")
    if conv.assigned_agent_id != agent.id and agent.role != "supervisor":
        raise ApiError(403, "not_yours", "another agent owns this conversation")
    return conv


def claim(svc: Services, conv_id: str, agent: Agent) -> Conversation:
    conv = _conversation(svc, conv_id)
    now = svc.clock()
    if not svc.store.update_conversation(conv_id, only_if_status=["queued"], status="agent",
                                         assigned_agent_id=agent.id, claimed_at=now):
        raise ApiError(409, "not_queued", f"the conversation is '{conv.status}', not waiting in the queue")
    svc.store.add_event(conv_id, "claim", {"wait_seconds": _since(conv.queued_at, now)}, agent.id)
    pause_bot(svc, conv_id)  # from now on the agent answers; a failed pause is retried by the worker
    svc.store.add_message(conv_id, "system", notices.agent_joined(conv.lang, agent.display_name),
                          meta={"type": "agent_joined", "agent_name": agent.display_name})
    svc.notifier.notify(conv_id)
    return _conversation(svc, conv_id)


def _since(then: object, now: object) -> float | None:
    try:
        return round((now - then).total_seconds(), 1)  # type: ignore[operator]
    except TypeError:
        return None


def transfer(svc: Services, conv_id: str, agent: Agent, to_username: str | None) -> Conversation:
    """To another agent by username, or back to the queue when to_username is None."""
    _owned(svc, conv_id, agent)
    if to_username is None:
        requeue(svc, conv_id, agent.id, "transfer")
    else:
        target = svc.store.agent_by_username(to_username)
        if target is None:
            raise ApiError(400, "unknown_agent", f"no agent called {to_username!r}", "to")
        svc.store.update_conversation(conv_id, assigned_agent_id=target.id)
        svc.store.add_event(conv_id, "transfer", {"to": target.username}, agent.id)
        svc.store.add_message(conv_id, "system", notices.agent_joined(_conversation(svc, conv_id).lang,
                                                                       target.display_name),
                              meta={"type": "agent_joined", "agent_name": target.display_name})
    svc.notifier.notify(conv_id)
    return _conversation(svc, conv_id)


def release_all(svc: Services, agent: Agent) -> int:
    """An agent leaves (logs out): their open conversations go back to the queue, where the bot
    answers the customers again until someone else claims them. Returns how many."""
    return sum(requeue(svc, conv.id, agent.id, "release")
               for conv in svc.store.conversations_by_status(["agent"], agent_id=agent.id))


def reply(svc: Services, conv_id: str, agent: Agent, text: str, client_msg_id: str | None) -> tuple[Message, bool]:
    conv = _owned(svc, conv_id, agent)
    msg, created = svc.store.add_message(conv_id, "agent", text, client_msg_id=client_msg_id, agent_id=agent.id,
                                         meta={"agent_name": agent.display_name})
    if created and conv.first_agent_reply_at is None:
        svc.store.update_conversation(conv_id, first_agent_reply_at=svc.clock())
    svc.notifier.notify(conv_id)
    return msg, created


def note(svc: Services, conv_id: str, agent: Agent, text: str) -> None:
    _conversation(svc, conv_id)
    svc.store.add_note(conv_id, agent.id, text)
    svc.notifier.notify(conv_id)


def hand_back(svc: Services, conv_id: str, agent: Agent) -> Conversation:
    conv = _owned(svc, conv_id, agent)
    resume_bot(svc, conv_id)
    svc.store.update_conversation(conv_id, status="bot", assigned_agent_id=None, ticket=False)
    svc.store.add_event(conv_id, "handback", {}, agent.id)
    svc.store.add_message(conv_id, "system", notices.handed_back(conv.lang), meta={"type": "handed_back"})
    svc.notifier.notify(conv_id)
    return _conversation(svc, conv_id)


def close(svc: Services, conv_id: str, agent: Agent, code: str) -> Conversation:
    if code not in svc.config.resolution_codes:
        raise ApiError(400, "bad_resolution", f"resolution must be one of {list(svc.config.resolution_codes)}",
                       "resolution")
    conv = _conversation(svc, conv_id)
    if conv.status == "agent":
        _owned(svc, conv_id, agent)
    elif conv.status != "queued":
        raise ApiError(409, "not_open", f"the conversation is '{conv.status}'")
    svc.store.update_conversation(conv_id, status="closed", resolution_code=code, closed_at=svc.clock(),
                                  ticket=False)
    resume_bot(svc, conv_id)  # so a later message from the customer reaches the bot again
    svc.store.add_event(conv_id, "close", {"resolution": code}, agent.id)
    svc.store.add_message(conv_id, "system", notices.rating_request(conv.lang), meta={"type": "rating_request"})
    svc.notifier.notify(conv_id)
    return _conversation(svc, conv_id)


def rate(svc: Services, conv_id: str, rating: int) -> None:
    conv = _conversation(svc, conv_id)
    if conv.status != "closed" or conv.closed_at is None:
        raise ApiError(409, "not_closed", "ratings are asked for once the conversation is closed", "rating")
    if conv.rating is not None:
        raise ApiError(409, "already_rated", "this conversation was already rated", "rating")
    svc.store.update_conversation(conv_id, rating=rating)
    svc.store.add_event(conv_id, "rating", {"rating": rating})
    svc.store.add_message(conv_id, "system", notices.rating_thanks(conv.lang, rating), meta={"type": "rating_thanks"})
    svc.notifier.notify(conv_id)
