"""Schemas of the wallboard (queue figures, agents, the day by interval, overdue complaints) and
the supervisor's actions on agents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from kernel.messages import N_, ExplainedValueError
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


class QueueAlert(BaseModel):
    """Why a queue is in alert; the page words it in its reader's language."""

    kind: Literal["service_level", "long_wait", "no_agent"]
    sl_pct: float | None = Field(None, description="service_level: the last 30 minutes' level")
    target_pct: float | None = Field(None, description="service_level: the queue's target")
    wait_s: float | None = Field(None, description="long_wait: the longest wait")


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
    alerts: list[QueueAlert]


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
            raise ExplainedValueError(N_("must be 15, 30 or 60"))
        return v


class IntervalOut(BaseModel):
    start_at: datetime = Field(description="in the centre's time zone (its offset)")
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
    from_at: datetime | None = Field(
        None,
        description="the chart's span: the centre's opening hours today (opening_hours), "
        "widened to any interval that had calls outside them",
    )
    to_at: datetime | None = None
    intervals: list[IntervalOut]


class ComplaintRow(BaseModel):
    complaint_id: str
    customer_id: str | None = None
    category: str | None = None
    severity: str | None = None
    overdue: list[str] = []


class ComplaintsOut(BaseModel):
    complaints: list[ComplaintRow]


class WaitingQuery(Input):
    queue: str | None = Field(None, pattern=ID)


class WaitingRow(BaseModel):
    call_id: str
    queue_id: str
    position: int = Field(description="1 = the next call the router offers in this queue")
    state: Literal["waiting", "offered"]
    arrived_ms: int = Field(description="the caller's arrival (kept when moved to another queue)")
    tier: str | None
    caller: str | None = Field(description="masked (customers.masking.mask_phone)")
    callback: bool = Field(
        description="the caller asked to be called back; this dial holds the place"
    )
    agent_id: str | None = Field(description="offered to")


class WaitingOut(BaseModel):
    server_ms: int
    calls: list[WaitingRow]


class RouteToAgentBody(Input):
    agent_id: str = Field(pattern=ID)


class RouteToAgentOut(BaseModel):
    call_id: str
    agent_id: str
    queue_id: str


class MoveCallBody(Input):
    queue_id: str = Field(pattern=ID)


class MoveCallOut(BaseModel):
    call_id: str
    queue_id: str
