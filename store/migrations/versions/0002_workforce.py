"""workforce: rosters and their shifts (with breaks and lunches)

Revision ID: 0002_workforce
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0002_workforce"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rosters",
        sa.Column("roster_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_start_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("period_end_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("under_staffing", sa.Float(), nullable=True),
        sa.Column("over_staffing", sa.Float(), nullable=True),
        sa.Column("lower_bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("roster_id", name=op.f("pk_rosters")),
    )
    op.create_table(
        "shifts",
        sa.Column("shift_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("activity", sa.String(length=8), nullable=False),
        sa.Column("start_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "activity IN ('shift', 'break', 'lunch')", name=op.f("ck_shifts_activity")
        ),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_shifts_positive")),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["rosters.roster_id"],
            name=op.f("fk_shifts_roster_id_rosters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index("ix_shifts_agent_start", ["agent_id", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shifts_roster_id"), ["roster_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_roster_id"))
        batch_op.drop_index("ix_shifts_agent_start")
    op.drop_table("shifts")
    op.drop_table("rosters")
