"""Store: every read and write of the bridge's state goes through this class."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from handoff.store.records import Agent, Conversation, Event, Message, Note
from handoff.store.schema import agents, conversations, events, messages, notes

# Serialises message inserts on PostgreSQL so sequence numbers commit in order and a poller
# reading "seq > cursor" can never skip a message committed late (SQLite serialises writers anyway).
_PG_MESSAGE_LOCK = 7_420_001


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _conversation(row: Row[Any]) -> Conversation:
    m = row._mapping
    return Conversation(
        id=m["id"], customer_id=m["customer_id"], lang=m["lang"], status=m["status"], ticket=bool(m["ticket"]),
        priority=float(m["priority"] or 0.0), priority_detail=dict(m["priority_detail"] or {}),
        handoff_reasons=list(m["handoff_reasons"] or []), handoff_at=_aware(m["handoff_at"]),
        queued_at=_aware(m["queued_at"]), assigned_agent_id=m["assigned_agent_id"],
        claimed_at=_aware(m["claimed_at"]), first_agent_reply_at=_aware(m["first_agent_reply_at"]),
        rasa_sync=m["rasa_sync"], resolution_code=m["resolution_code"], closed_at=_aware(m["closed_at"]),
        rating=m["rating"], created_at=_aware(m["created_at"]) or utcnow(),
        updated_at=_aware(m["updated_at"]) or utcnow())


def _message(row: Row[Any]) -> Message:
    m = row._mapping
    return Message(seq=m["seq"], conversation_id=m["conversation_id"], client_msg_id=m["client_msg_id"],
                   role=m["role"], text=m["text"], state=m["state"], agent_id=m["agent_id"],
                   meta=dict(m["meta"] or {}), created_at=_aware(m["created_at"]))


def _agent(row: Row[Any]) -> Agent:
    m = row._mapping
    return Agent(id=m["id"], username=m["username"], display_name=m["display_name"],
                 password_hash=m["password_hash"], role=m["role"], last_seen_at=_aware(m["last_seen_at"]))


class Store:
    """Conversations, messages, agents, notes and events in one SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pg = engine.dialect.name == "postgresql"

    # ---- conversations -------------------------------------------------------------
    def create_conversation(self, customer_id: str, lang: str) -> tuple[Conversation, str]:
        token = secrets.token_urlsafe(24)
        now = utcnow()
        conv_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(insert(conversations).values(
                id=conv_id, customer_id=customer_id, token_hash=_hash_token(token), lang=lang, status="bot",
                ticket=False, priority=0.0, priority_detail={}, handoff_reasons=[], created_at=now,
                updated_at=now))
        conv = self.conversation(conv_id)
        assert conv is not None
        return conv, token

    def conversation(self, conv_id: str) -> Conversation | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(conversations).where(conversations.c.id == conv_id)).first()
        return _conversation(row) if row else None

    def token_matches(self, conv_id: str, token: str) -> bool:
        with self.engine.connect() as conn:
            stored = conn.execute(select(conversations.c.token_hash).where(conversations.c.id == conv_id)).scalar()
        return bool(stored) and hmac.compare_digest(str(stored), _hash_token(token))

    def update_conversation(self, conv_id: str, *, only_if_status: Sequence[str] | None = None,
                            **values: Any) -> bool:
        """Set columns; with only_if_status the change happens only from those states (atomic)."""
        cond = conversations.c.id == conv_id
        if only_if_status is not None:
            cond = and_(cond, conversations.c.status.in_(list(only_if_status)))
        with self.engine.begin() as conn:
            result = conn.execute(update(conversations).where(cond).values(updated_at=utcnow(), **values))
        return bool(result.rowcount)

    def conversations_by_status(self, statuses: Iterable[str], agent_id: int | None = None,
                                limit: int = 500) -> list[Conversation]:
        query = select(conversations).where(conversations.c.status.in_(list(statuses)))
        if agent_id is not None:
            query = query.where(conversations.c.assigned_agent_id == agent_id)
        query = query.order_by(conversations.c.updated_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_conversation(r) for r in conn.execute(query)]

    def conversations_needing_rasa_sync(self) -> list[Conversation]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(conversations).where(conversations.c.rasa_sync.is_not(None)))
            return [_conversation(r) for r in rows]

    # ---- messages --------------------------------------------------------------------
    def add_message(self, conv_id: str, role: str, text: str, state: str = "sent", *,
                    client_msg_id: str | None = None, agent_id: int | None = None,
                    meta: dict[str, Any] | None = None) -> tuple[Message, bool]:
        """Insert a message; with a client_msg_id already stored, return that one and False."""
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                if self._pg:
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_MESSAGE_LOCK)))
                key = conn.execute(insert(messages).values(
                    conversation_id=conv_id, client_msg_id=client_msg_id, role=role, text=text, state=state,
                    agent_id=agent_id, meta=meta or {}, created_at=now, updated_at=now)).inserted_primary_key
                assert key is not None
                seq = key[0]
                conn.execute(update(conversations).where(conversations.c.id == conv_id).values(updated_at=now))
        except IntegrityError:
            if client_msg_id is None:
                raise
            existing = self.message_by_client_id(conv_id, client_msg_id)
            if existing is None:
                raise
            return existing, False
        msg = self.message(int(seq))
        assert msg is not None
        return msg, True

    def message(self, seq: int) -> Message | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(messages).where(messages.c.seq == seq)).first()
        return _message(row) if row else None

    def message_by_client_id(self, conv_id: str, client_msg_id: str) -> Message | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(messages).where(and_(messages.c.conversation_id == conv_id,
                                                           messages.c.client_msg_id == client_msg_id))).first()
        return _message(row) if row else None

    def messages(self, conv_id: str, after: int = 0, limit: int = 500) -> list[Message]:
        query = (select(messages).where(and_(messages.c.conversation_id == conv_id, messages.c.seq > after))
                 .order_by(messages.c.seq).limit(limit))
        with self.engine.connect() as conn:
            return [_message(r) for r in conn.execute(query)]

    def messages_after(self, after: int, conversation_ids: Sequence[str] | None = None,
                       limit: int = 500) -> list[Message]:
        """Messages of many conversations past a global cursor (the agents' feed)."""
        query = select(messages).where(messages.c.seq > after)
        if conversation_ids is not None:
            query = query.where(messages.c.conversation_id.in_(list(conversation_ids)))
        with self.engine.connect() as conn:
            return [_message(r) for r in conn.execute(query.order_by(messages.c.seq).limit(limit))]

    def last_seq(self, conv_id: str | None = None) -> int:
        query = select(func.max(messages.c.seq))
        if conv_id is not None:
            query = query.where(messages.c.conversation_id == conv_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def transition_message(self, seq: int, from_states: Sequence[str], to_state: str,
                           meta: dict[str, Any] | None = None) -> bool:
        """Atomically move a message between states; False if someone else moved it first."""
        values: dict[str, Any] = {"state": to_state, "updated_at": utcnow()}
        if meta is not None:
            values["meta"] = meta
        with self.engine.begin() as conn:
            result = conn.execute(update(messages).where(and_(messages.c.seq == seq,
                                                              messages.c.state.in_(list(from_states))))
                                  .values(**values))
        return bool(result.rowcount)

    def messages_in_state(self, states: Sequence[str], updated_before: datetime | None = None,
                          limit: int = 200) -> list[Message]:
        query = select(messages).where(messages.c.state.in_(list(states)))
        if updated_before is not None:
            query = query.where(messages.c.updated_at < updated_before)
        with self.engine.connect() as conn:
            return [_message(r) for r in conn.execute(query.order_by(messages.c.seq).limit(limit))]

    # ---- agents ----------------------------------------------------------------------
    def create_agent(self, username: str, display_name: str, password_hash: str, role: str) -> Agent:
        with self.engine.begin() as conn:
            conn.execute(insert(agents).values(username=username, display_name=display_name,
                                               password_hash=password_hash, role=role, created_at=utcnow()))
        agent = self.agent_by_username(username)
        assert agent is not None
        return agent

    def agent_by_username(self, username: str) -> Agent | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(agents).where(agents.c.username == username)).first()
        return _agent(row) if row else None

    def agent(self, agent_id: int) -> Agent | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(agents).where(agents.c.id == agent_id)).first()
        return _agent(row) if row else None

    def all_agents(self) -> list[Agent]:
        with self.engine.connect() as conn:
            return [_agent(r) for r in conn.execute(select(agents).order_by(agents.c.username))]

    def touch_agent(self, agent_id: int, when: datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(agents).where(agents.c.id == agent_id).values(last_seen_at=when or utcnow()))

    def agents_seen_since(self, since: datetime) -> list[Agent]:
        with self.engine.connect() as conn:
            return [_agent(r) for r in conn.execute(select(agents).where(agents.c.last_seen_at >= since))]

    # ---- notes and events -------------------------------------------------------------
    def add_note(self, conv_id: str, agent_id: int, text: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(notes).values(conversation_id=conv_id, agent_id=agent_id, text=text,
                                              created_at=utcnow()))

    def notes(self, conv_id: str) -> list[Note]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(notes).where(notes.c.conversation_id == conv_id).order_by(notes.c.id))
            return [Note(r.id, r.conversation_id, r.agent_id, r.text, _aware(r.created_at) or utcnow())
                    for r in rows]

    def add_event(self, conv_id: str, kind: str, data: dict[str, Any] | None = None,
                  agent_id: int | None = None, conn: Connection | None = None) -> None:
        stmt = insert(events).values(conversation_id=conv_id, kind=kind, agent_id=agent_id, data=data or {},
                                     created_at=utcnow())
        if conn is not None:
            conn.execute(stmt)
            return
        with self.engine.begin() as own:
            own.execute(stmt)

    def events(self, conv_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events).where(events.c.conversation_id == conv_id).order_by(events.c.id))
            return [Event(r.id, r.conversation_id, r.kind, r.agent_id, dict(r.data or {}),
                          _aware(r.created_at) or utcnow()) for r in rows]
