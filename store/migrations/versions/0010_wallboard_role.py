"""wallboard_role: the read-only ``wallboard`` role (a wall screen's kiosk view)

Revision ID: 0010_wallboard_role
Revises: 0009_call_survey, 0005_web
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_wallboard_role"
down_revision: str | Sequence[str] | None = ("0009_call_survey", "0005_web")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "'agent', 'supervisor', 'planner', 'qa', 'admin'"


def _roles(allowed: str) -> None:
    # batch: SQLite copies the table with the new CHECK; PostgreSQL alters it in place
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_web_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_web_users_role"), f"role IN ({allowed})")


def upgrade() -> None:
    _roles(f"{ROLES}, 'wallboard'")


def downgrade() -> None:
    op.execute("DELETE FROM web_users WHERE role = 'wallboard'")
    _roles(ROLES)
