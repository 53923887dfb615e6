"""Tables the planner, QA and complaint pages add: what a roster was solved against (its
requirement per interval and the planner's target), and who a complaint ticket is assigned to.

``roster_requirements`` extends the workforce ``rosters`` table one-to-one, so coverage against
requirement can be shown, and recomputed after a shift is moved by hand, for any stored roster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class RosterRequirement(Base):
    __tablename__ = "roster_requirements"

    roster_id: Mapped[int] = mapped_column(
        ForeignKey("rosters.roster_id", ondelete="CASCADE"), primary_key=True
    )
    first_interval_at: Mapped[datetime] = mapped_column(UtcDateTime)
    utc_offset_min: Mapped[int] = mapped_column(Integer, default=0)  # the planner's local days
    interval_min: Mapped[int] = mapped_column(Integer)
    required: Mapped[list[Any]] = mapped_column(JSON)  # agents on the phones per interval
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)  # target, shrinkage, solver figures
    created_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ComplaintAssignment(Base):
    """Each (re)assignment of a ticket; the latest row is the current assignee."""

    __tablename__ = "complaint_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(
        ForeignKey("complaints.complaint_id", ondelete="CASCADE"), index=True
    )
    assignee: Mapped[str] = mapped_column(String(64))
    by_user: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShiftRequest(Base):
    """An agent's request to change a published shift: time off, or a swap with a colleague
    (who takes the shift, giving theirs in exchange when ``with_shift_start_at`` is set); a
    planner approves or refuses it, and ``check`` keeps the coverage and labour-rule check."""

    __tablename__ = "shift_requests"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # time_off | swap
    roster_id: Mapped[int] = mapped_column(
        ForeignKey("rosters.roster_id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    shift_start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    with_agent_id: Mapped[str | None] = mapped_column(String(64))
    with_shift_start_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # approved | refused
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
