"""Core tables: the append-only event log, the read models built from it, and the call center's
own configuration data (agents, skills, queues, customers)."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class CallEvent(Base):
    """Append-only log of domain events; ``event_id`` makes writing the same event a no-op."""

    __tablename__ = "call_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    call_id: Mapped[str | None] = mapped_column(String(128), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Call(Base):
    """One row per call, derived from the events (the ``calls`` read model)."""

    __tablename__ = "calls"

    call_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    queue_id: Mapped[str | None] = mapped_column(String(64), index=True)
    caller: Mapped[str | None] = mapped_column(String(64))
    dialled: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    priority: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wrapped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    hold_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wait_s: Mapped[float | None] = mapped_column(Float)
    talk_s: Mapped[float | None] = mapped_column(Float)
    hold_s: Mapped[float] = mapped_column(Float, default=0.0)
    wrap_s: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(32))
    ended_by: Mapped[str | None] = mapped_column(String(16))
    disposition: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    offers: Mapped[int] = mapped_column(Integer, default=0)
    # the post-call survey (call.surveyed): the caller's key 1-5, or none with the reason
    survey_score: Mapped[int | None] = mapped_column(Integer)
    survey_reason: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AgentState(Base):
    """Agent state intervals: one row per state, ``end_at`` null while it lasts."""

    __tablename__ = "agent_states"
    __table_args__ = (Index("ix_agent_states_agent_start", "agent_id", "start_at", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    call_id: Mapped[str | None] = mapped_column(String(128))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class Agent(Base):
    __tablename__ = "agents"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Skill(Base):
    __tablename__ = "skills"

    skill_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class AgentSkill(Base):
    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 10", name="level_range"),)

    agent_id: Mapped[str] = mapped_column(
        ForeignKey("agents.agent_id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[str] = mapped_column(
        ForeignKey("skills.skill_id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer)


class Queue(Base):
    __tablename__ = "queues"
    __table_args__ = (CheckConstraint("sl_target_pct > 0 AND sl_target_pct <= 100", name="sl_pct"),)

    queue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    required_skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    sl_target_pct: Mapped[float] = mapped_column(Float, default=80.0)
    sl_target_s: Mapped[int] = mapped_column(Integer, default=20)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Customer(Base):
    """Customer records; personal fields are masked on read for roles that may not see them."""

    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("tier IN ('ordinary', 'key_account', 'vip')", name="tier"),)

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16), default="ordinary")
    phone: Mapped[str | None] = mapped_column(String(32), index=True)  # E.164
    email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
