"""call survey: the post-call satisfaction survey's score and reason on each call

Revision ID: 0009_call_survey
Revises: 0008_recordings
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_call_survey"
down_revision: str | Sequence[str] | None = "0008_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("survey_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("survey_reason", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("survey_reason")
        batch.drop_column("survey_score")
