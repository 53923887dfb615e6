"""shift requests: agents' time off and shift swaps, decided by planners

Revision ID: 0007_shift_requests
Revises: 0006_workspaces
Create Date: 2026-12-07 22:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0007_shift_requests"
down_revision: str | Sequence[str] | None = "0006_workspaces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = store.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shift_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("shift_start_at", UTC_DT, nullable=False),
        sa.Column("with_agent_id", sa.String(64), nullable=True),
        sa.Column("with_shift_start_at", UTC_DT, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("decided_at", UTC_DT, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("check", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["rosters.roster_id"],
            ondelete="CASCADE",
            name=op.f("fk_shift_requests_roster_id_rosters"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_shift_requests")),
    )
    op.create_index(op.f("ix_shift_requests_roster_id"), "shift_requests", ["roster_id"])
    op.create_index(op.f("ix_shift_requests_agent_id"), "shift_requests", ["agent_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shift_requests_agent_id"), table_name="shift_requests")
    op.drop_index(op.f("ix_shift_requests_roster_id"), table_name="shift_requests")
    op.drop_table("shift_requests")
