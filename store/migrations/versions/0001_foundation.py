"""foundation: event log, read models, configuration tables

Revision ID: 0001
Revises:
Create Date: 2026-11-22 21:20:17.381135
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("start_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_states")),
    )
    with op.batch_alter_table("agent_states", schema=None) as batch_op:
        batch_op.create_index("ix_agent_states_agent_start", ["agent_id", "start_at"], unique=True)
        batch_op.create_index(batch_op.f("ix_agent_states_end_at"), ["end_at"], unique=False)

    op.create_table(
        "agents",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agents")),
    )
    op.create_table(
        "call_events",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("ts", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_call_events")),
    )
    with op.batch_alter_table("call_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_events_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_events_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_events_ts"), ["ts"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_events_type"), ["type"], unique=False)

    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("dialled", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("arrived_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("queued_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("wrapped_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("hold_started_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("wait_s", sa.Float(), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("wrap_s", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("disposition", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("updated_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_arrived_at"), ["arrived_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calls_queue_id"), ["queue_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "tier IN ('ordinary', 'key_account', 'vip')", name=op.f("ck_customers_tier")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)

    op.create_table(
        "queues",
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("sl_target_pct", sa.Float(), nullable=False),
        sa.Column("sl_target_s", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "sl_target_pct > 0 AND sl_target_pct <= 100", name=op.f("ck_queues_sl_pct")
        ),
        sa.PrimaryKeyConstraint("queue_id", name=op.f("pk_queues")),
    )
    op.create_table(
        "skills",
        sa.Column("skill_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("skill_id", name=op.f("pk_skills")),
    )
    op.create_table(
        "agent_skills",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("skill_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 10", name=op.f("ck_agent_skills_level_range")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.agent_id"],
            name=op.f("fk_agent_skills_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.skill_id"],
            name=op.f("fk_agent_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "skill_id", name=op.f("pk_agent_skills")),
    )


def downgrade() -> None:
    op.drop_table("agent_skills")
    op.drop_table("skills")
    op.drop_table("queues")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone"))

    op.drop_table("customers")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_queue_id"))
        batch_op.drop_index(batch_op.f("ix_calls_customer_id"))
        batch_op.drop_index(batch_op.f("ix_calls_arrived_at"))
        batch_op.drop_index(batch_op.f("ix_calls_agent_id"))

    op.drop_table("calls")
    with op.batch_alter_table("call_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_events_type"))
        batch_op.drop_index(batch_op.f("ix_call_events_ts"))
        batch_op.drop_index(batch_op.f("ix_call_events_call_id"))
        batch_op.drop_index(batch_op.f("ix_call_events_agent_id"))

    op.drop_table("call_events")
    op.drop_table("agents")
    with op.batch_alter_table("agent_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_states_end_at"))
        batch_op.drop_index("ix_agent_states_agent_start")

    op.drop_table("agent_states")
