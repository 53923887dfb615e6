"""customers: customer columns, phones, complaints and history, sales, outbound tasks and
attempts, audit log

Revision ID: 0004_customers
Revises: 0001
Create Date: 2026-11-22 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0004_customers"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = store.models.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_manager", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("do_not_call", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("call_from", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("call_until", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("call_days", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    op.create_table(
        "customer_phones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("e164", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_customer_phones_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_phones")),
        sa.UniqueConstraint("e164", name=op.f("uq_customer_phones_e164")),
    )
    op.create_index(
        op.f("ix_customer_phones_customer_id"), "customer_phones", ["customer_id"], unique=False
    )

    op.create_table(
        "complaints",
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("wish", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=True),
        sa.Column("opened_at", UTC_DT, nullable=False),
        sa.Column("acknowledge_due_at", UTC_DT, nullable=True),
        sa.Column("resolve_due_at", UTC_DT, nullable=True),
        sa.Column("acknowledged_at", UTC_DT, nullable=True),
        sa.Column("resolved_at", UTC_DT, nullable=True),
        sa.Column("closed_at", UTC_DT, nullable=True),
        sa.Column("updated_at", UTC_DT, nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'in_progress', 'resolved', 'closed', 'reopened')",
            name=op.f("ck_complaints_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_complaints_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_call_id"), "complaints", ["call_id"], unique=False)
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"], unique=False)
    op.create_index(op.f("ix_complaints_opened_at"), "complaints", ["opened_at"], unique=False)
    op.create_index(
        "ix_complaints_status_resolve_due", "complaints", ["status", "resolve_due_at"], unique=False
    )

    op.create_table(
        "complaint_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("by_user", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.complaint_id"],
            name=op.f("fk_complaint_history_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_history")),
    )
    op.create_index(
        op.f("ix_complaint_history_complaint_id"),
        "complaint_history",
        ["complaint_id"],
        unique=False,
    )

    op.create_table(
        "sales",
        sa.Column("sale_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("sold_at", UTC_DT, nullable=False),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_sales_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sale_id", name=op.f("pk_sales")),
    )
    op.create_index(op.f("ix_sales_customer_id"), "sales", ["customer_id"], unique=False)
    op.create_index(op.f("ix_sales_sold_at"), "sales", ["sold_at"], unique=False)

    op.create_table(
        "outbound_tasks",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("trigger_at", UTC_DT, nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("deadline_at", UTC_DT, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("last_outcome", sa.String(length=16), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("done_at", UTC_DT, nullable=True),
        sa.CheckConstraint(
            "kind IN ('return_visit', 'callback')", name=op.f("ck_outbound_tasks_kind")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'queued', 'connected', 'done', 'cancelled')",
            name=op.f("ck_outbound_tasks_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_outbound_tasks_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_outbound_tasks")),
        sa.UniqueConstraint("source", "source_id", "kind", name="uq_outbound_tasks_source"),
    )
    op.create_index(op.f("ix_outbound_tasks_call_id"), "outbound_tasks", ["call_id"], unique=False)
    op.create_index(
        op.f("ix_outbound_tasks_customer_id"), "outbound_tasks", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_outbound_tasks_status_due", "outbound_tasks", ["status", "due_at"], unique=False
    )

    op.create_table(
        "outbound_attempts",
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTC_DT, nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("answered_at", UTC_DT, nullable=True),
        sa.Column("ended_at", UTC_DT, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["outbound_tasks.task_id"],
            name=op.f("fk_outbound_attempts_task_id_outbound_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_outbound_attempts")),
        sa.UniqueConstraint("task_id", "attempt", name="uq_outbound_attempts_n"),
    )
    op.create_index(
        op.f("ix_outbound_attempts_task_id"), "outbound_attempts", ["task_id"], unique=False
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("fields", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor"), "audit_log", ["actor"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_entity_id"), "audit_log", ["entity_id"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("outbound_attempts")
    op.drop_table("outbound_tasks")
    op.drop_table("sales")
    op.drop_table("complaint_history")
    op.drop_table("complaints")
    op.drop_table("customer_phones")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for name in ("timezone", "call_days", "call_until", "call_from", "do_not_call"):
            batch_op.drop_column(name)
        batch_op.drop_column("account_manager")
