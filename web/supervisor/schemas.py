"""Schemas of the wallboard (queue figures, agents, the day by interval, overdue complaints) and
the supervisor's actions on agents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from web.schemas import ID, Input

STATES = Literal["ready", "not_ready", "wrap_up", "on_call", "offered", "logged_out"]


class ForceNotReadyBody(Input):
    reason: str = Field("meeting", min_length=1, max_length=32)


class PeriodOut(BaseModel):
    offered: int
    answered: int
    abandoned: int
    answered_in_sl: int = Field(0, description="answered within the queue's target")
    abandons_against_sl: int = Field(
        0, description="abandons service level counts (not short, when the queue counts them)"
    )
    service_level_pct: float | None
    asa_s: float | None
    handle_s: float | None


class QueueFigures(BaseModel):
    queue_id: str
    name: str
    waiting: int
    longest_wait_s: float
    expected_wait_s: int
    agents: dict[str, int]
    sl_target_pct: float
    sl_target_s: int
    day: PeriodOut
    last_15m: PeriodOut
    last_30m: PeriodOut
    abandon_rate_pct: float | None
    alerts: list[str]


class QueuesOut(BaseModel):
    server_ms: int
    queues: list[QueueFigures]


class AgentsQuery(Input):
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(50, ge=1, le=500)
    queue: str | None = Field(None, pattern=ID)
    state: STATES | None = None
    search: str | None = Field(None, max_length=64)


class AgentRow(BaseModel):
    agent_id: str
    name: str
    team: str | None
    state: str
    reason: str | None
    since_ms: int | None
    call_id: str | None
    queue_id: str | None


class AgentsOut(BaseModel):
    server_ms: int
    page: int
    size: int
    total: int
    by_state: dict[str, int]
    agents: list[AgentRow]


class DayQuery(Input):
    queue: str | None = Field(None, pattern=ID)
    interval_min: int = Field(30, json_schema_extra={"enum": [15, 30, 60]})

    @field_validator("interval_min")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in (15, 30, 60):
            raise ValueError("must be 15, 30 or 60")
        return v


class IntervalOut(BaseModel):
    start_at: datetime
    offered: int
    answered: int
    abandoned: int
    service_level_pct: float | None
    no_data: bool = Field(
        False,
        description="no bridge heard Asterisk for part of the interval (a telephony gap): its "
        "figures are what Asterisk's CDR could tell, not a quiet interval",
    )


class DayOut(BaseModel):
    interval_min: int
    queue: str | None
    intervals: list[IntervalOut]


class ComplaintRow(BaseModel):
    complaint_id: str
    customer_id: str | None = None
    category: str | None = None
    severity: str | None = None
    overdue: list[str] = []


class ComplaintsOut(BaseModel):
    complaints: list[ComplaintRow]
