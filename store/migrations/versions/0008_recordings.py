"""recordings: one row per recorded call, comments at a time position of a recording

Revision ID: 0008_recordings
Revises: 0007_shift_requests, 0003_qa
Create Date: 2026-12-07 22:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0008_recordings"
down_revision: str | Sequence[str] | None = ("0007_shift_requests", "0003_qa")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = store.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("queue_id", sa.String(64), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=True),
        sa.Column("started_at", UTC_DT, nullable=False),
        sa.Column("stopped_at", UTC_DT, nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("paused_at", UTC_DT, nullable=True),
        sa.Column("paused_spans", sa.JSON(), nullable=False),
        sa.Column("purged_at", UTC_DT, nullable=True),
        sa.Column("purge_note", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_recordings")),
    )
    for col in ("queue_id", "agent_id", "started_at"):
        op.create_index(op.f(f"ix_recordings_{col}"), "recordings", [col])
    op.create_table(
        "recording_comments",
        sa.Column("comment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_recording_comments")),
    )
    for col in ("evaluation_id", "call_id"):
        op.create_index(op.f(f"ix_recording_comments_{col}"), "recording_comments", [col])


def downgrade() -> None:
    op.drop_table("recording_comments")
    op.drop_table("recordings")
