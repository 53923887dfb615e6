"""call scripts: per-queue greeting, verification, closing and standard phrases

Revision ID: 0011_call_scripts
Revises: 0010_wallboard_role
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0011_call_scripts"
down_revision: str | Sequence[str] | None = "0010_wallboard_role"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = store.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "call_scripts",
        sa.Column("queue_id", sa.String(64), nullable=False),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("verification", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("queue_id", name=op.f("pk_call_scripts")),
    )


def downgrade() -> None:
    op.drop_table("call_scripts")
