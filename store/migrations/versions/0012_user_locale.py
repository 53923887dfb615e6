"""user locale: each user's own language for the pages (issue 21)

Revision ID: 0012_user_locale
Revises: 0011_call_scripts
Create Date: 2026-12-07 22:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_user_locale"
down_revision: str | Sequence[str] | None = "0011_call_scripts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("web_users") as batch:
        batch.add_column(sa.Column("locale", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_users") as batch:
        batch.drop_column("locale")
