"""workspaces: roster requirements (beside workforce rosters), complaint assignments

Revision ID: 0006_workspaces
Revises: 0002_workforce, 0004_customers
Create Date: 2026-11-22 22:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0006_workspaces"
down_revision: str | Sequence[str] | None = ("0002_workforce", "0004_customers")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = store.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "roster_requirements",
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("first_interval_at", UTC_DT, nullable=False),
        sa.Column("utc_offset_min", sa.Integer(), nullable=False),
        sa.Column("interval_min", sa.Integer(), nullable=False),
        sa.Column("required", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("published_at", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["rosters.roster_id"],
            ondelete="CASCADE",
            name=op.f("fk_roster_requirements_roster_id_rosters"),
        ),
        sa.PrimaryKeyConstraint("roster_id", name=op.f("pk_roster_requirements")),
    )
    op.create_table(
        "complaint_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=False),
        sa.Column("by_user", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.complaint_id"],
            ondelete="CASCADE",
            name=op.f("fk_complaint_assignments_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_assignments")),
    )
    op.create_index(
        op.f("ix_complaint_assignments_complaint_id"), "complaint_assignments", ["complaint_id"]
    )


def downgrade() -> None:
    op.drop_table("complaint_assignments")
    op.drop_table("roster_requirements")
