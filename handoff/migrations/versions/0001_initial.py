"""Initial bridge schema: agents, conversations, messages, notes, events."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("last_seen_at", TS),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(32), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("ticket", sa.Boolean, nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("priority_detail", sa.JSON),
        sa.Column("handoff_reasons", sa.JSON),
        sa.Column("handoff_at", TS),
        sa.Column("queued_at", TS),
        sa.Column("assigned_agent_id", sa.Integer, sa.ForeignKey("agents.id")),
        sa.Column("claimed_at", TS),
        sa.Column("first_agent_reply_at", TS),
        sa.Column("rasa_sync", sa.String(16)),
        sa.Column("resolution_code", sa.String(32)),
        sa.Column("closed_at", TS),
        sa.Column("rating", sa.Integer),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("client_msg_id", sa.String(64)),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id")),
        sa.Column("meta", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("conversation_id", "client_msg_id", name="uq_messages_client_msg_id"),
    )
    op.create_index("ix_messages_conversation_seq", "messages", ["conversation_id", "seq"])
    op.create_index("ix_messages_state", "messages", ["state"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False,
                  index=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(40), sa.ForeignKey("conversations.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id")),
        sa.Column("data", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    for name in ("events", "notes", "messages", "conversations", "agents"):
        op.drop_table(name)
