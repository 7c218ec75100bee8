"""SQLAlchemy Core tables of the bridge store (the migrations in handoff/migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
                        JSON,
                        Boolean,
                        Column,
                        DateTime,
                        Float,
                        ForeignKey,
                        Index,
                        Integer,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
)

metadata = MetaData()

agents = Table(
    "agents", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(16), nullable=False),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

conversations = Table(
    "conversations", metadata,
    Column("id", String(40), primary_key=True),
    Column("customer_id", String(32), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False),
    Column("lang", String(8), nullable=False),
    # bot | queued | agent | closed
    Column("status", String(16), nullable=False, index=True),
    Column("ticket", Boolean, nullable=False, default=False),
    Column("priority", Float, nullable=False, default=0.0),
    Column("priority_detail", JSON),
    Column("handoff_reasons", JSON),
    Column("handoff_at", DateTime(timezone=True)),
    Column("queued_at", DateTime(timezone=True)),
    Column("assigned_agent_id", Integer, ForeignKey("agents.id")),
    Column("claimed_at", DateTime(timezone=True)),
    Column("first_agent_reply_at", DateTime(timezone=True)),
    # pause | resume | None: a Rasa call that still has to succeed (retried by the worker)
    Column("rasa_sync", String(16)),
    Column("resolution_code", String(32)),
    Column("closed_at", DateTime(timezone=True)),
    Column("rating", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(40), ForeignKey("conversations.id"), nullable=False),
    Column("client_msg_id", String(64)),
    # customer | bot | agent | system
    Column("role", String(16), nullable=False),
    Column("text", Text, nullable=False),
    # customer messages: received | processing | pending_bot | answered | to_agent ; others: sent
    Column("state", String(16), nullable=False),
    Column("agent_id", Integer, ForeignKey("agents.id")),
    Column("meta", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("conversation_id", "client_msg_id", name="uq_messages_client_msg_id"),
    Index("ix_messages_conversation_seq", "conversation_id", "seq"),
    Index("ix_messages_state", "state"),
)

notes = Table(
    "notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(40), ForeignKey("conversations.id"), nullable=False, index=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(40), ForeignKey("conversations.id"), nullable=False, index=True),
    # handoff | ticket | claim | transfer | release | withdraw | handback | close | rating | bot_notice
    Column("kind", String(24), nullable=False),
    Column("agent_id", Integer, ForeignKey("agents.id")),
    Column("data", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
