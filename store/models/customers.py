"""Customer work: customer records and their phone numbers, complaints and their history, sales,
outbound tasks (return visits, callbacks) with their dial attempts, and the audit log of
unmasked reads.

``customers`` itself is declared in ``core``; the columns this area needs are added to that same
table here (``Customer.<column> = mapped_column(...)`` extends the declarative class and its table),
and migration ``0004_customers`` adds them to the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime
from store.models.core import Customer

# --- columns added to ``customers`` (declared in core) ---------------------------------------
Customer.account_manager = mapped_column(String(64), nullable=True)  # agent id
Customer.do_not_call = mapped_column(Boolean, nullable=False, default=False)
Customer.call_from = mapped_column(String(5), nullable=True)  # "HH:MM" local; null: settings
Customer.call_until = mapped_column(String(5), nullable=True)
Customer.call_days = mapped_column(String(7), nullable=True)  # ISO weekdays, e.g. "12345"
Customer.timezone = mapped_column(String(64), nullable=True)  # IANA; null: settings.timezone


class CustomerPhone(Base):
    """A customer's numbers in E.164; a number belongs to one customer (caller lookup)."""

    __tablename__ = "customer_phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(Base):
    """A complaint ticket; the deadlines are recomputed from the history (``complaints.deadlines``)
    and kept here for queries (``acknowledge_due_at`` / ``resolve_due_at`` of the current cycle)."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'acknowledged', 'in_progress', 'resolved', 'closed', 'reopened')",
            name="status",
        ),
        Index("ix_complaints_status_resolve_due", "status", "resolve_due_at"),
    )

    complaint_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="SET NULL"), index=True
    )
    call_id: Mapped[str | None] = mapped_column(String(128), index=True)
    category: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    wish: Mapped[str | None] = mapped_column(Text)  # what the customer asks for
    status: Mapped[str] = mapped_column(String(16), default="open")
    cycle: Mapped[int] = mapped_column(Integer, default=0)  # +1 per reopen
    opened_by: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    acknowledge_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ComplaintHistory(Base):
    """Every status a ticket went through, in order (``open`` first)."""

    __tablename__ = "complaint_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(
        ForeignKey("complaints.complaint_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_user: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class Sale(Base):
    """A sale (imported or posted); each one triggers a return visit."""

    __tablename__ = "sales"

    sale_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    sold_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    product: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[float | None] = mapped_column(Float)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboundTask(Base):
    """A return visit or a callback: outbound work the router serves like a call.

    ``status``: scheduled (waits for ``due_at``) → queued (attempt ``attempts`` handed to the
    router as ``call_id``) → connected (customer reached, form pending) → done; or back to
    scheduled with a later ``due_at`` for a retry; cancelled when it must not be dialled.
    """

    __tablename__ = "outbound_tasks"
    __table_args__ = (
        CheckConstraint("kind IN ('return_visit', 'callback')", name="kind"),
        CheckConstraint(
            "status IN ('scheduled', 'queued', 'connected', 'done', 'cancelled')", name="status"
        ),
        UniqueConstraint("source", "source_id", "kind", name="uq_outbound_tasks_source"),
        Index("ix_outbound_tasks_status_due", "status", "due_at"),
    )

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="SET NULL"), index=True
    )
    number: Mapped[str] = mapped_column(String(32))  # E.164
    source: Mapped[str] = mapped_column(String(16))  # sale | complaint | call | manual | queue
    source_id: Mapped[str] = mapped_column(String(128))
    queue_id: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16), default="ordinary")
    trigger_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the 24 h window's end
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    call_id: Mapped[str | None] = mapped_column(String(128), index=True)  # current attempt
    agent_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # return-visit form
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboundAttempt(Base):
    """One dial attempt of a task (one router call)."""

    __tablename__ = "outbound_attempts"
    __table_args__ = (UniqueConstraint("task_id", "attempt", name="uq_outbound_attempts_n"),)

    call_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("outbound_tasks.task_id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))


class AuditEntry(Base):
    """Who read which personal data unmasked, when and why."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128), index=True)
    fields: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
