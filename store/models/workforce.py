"""Workforce tables: rosters (a published or draft plan for a period) and their activities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class Roster(Base):
    """One solved roster; agents and supervisors see it once ``published``."""

    __tablename__ = "rosters"

    roster_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    period_end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    under_staffing: Mapped[float | None] = mapped_column(Float)
    over_staffing: Mapped[float | None] = mapped_column(Float)
    lower_bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)


class Shift(Base):
    """One activity of an agent in a roster: a shift, or a break / lunch inside it."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("activity IN ('shift', 'break', 'lunch')", name="activity"),
        CheckConstraint("end_at > start_at", name="positive"),
        Index("ix_shifts_agent_start", "agent_id", "start_at"),
    )

    shift_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    roster_id: Mapped[int] = mapped_column(
        ForeignKey("rosters.roster_id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str] = mapped_column(String(64))
    activity: Mapped[str] = mapped_column(String(8))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
