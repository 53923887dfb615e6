"""Request and response schemas of ``/api/``: the same classes validate input and describe it in
the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID = r"^[A-Za-z0-9_.:@-]{1,128}$"
STATES = Literal["ready", "not_ready", "wrap_up", "on_call", "offered", "logged_out"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- session ---------------------------------------------------------------------------------


class LoginBody(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    username: str | None
    role: str | None
    agent_id: str | None
    display_name: str | None
    csrf_token: str


# --- agent -----------------------------------------------------------------------------------


class NotReadyBody(_In):
    reason: str = Field(min_length=1, max_length=32, description="one of routing.not_ready_reasons")


class ExtendWrapUpBody(_In):
    extra_s: int = Field(ge=1, le=3600)


class AgentStateOut(BaseModel):
    agent_id: str
    state: str
    reason: str | None = None
    since_ms: int | None = None
    call_id: str | None = None
    queue_id: str | None = None
    wrap_until_ms: int | None = None


class CallSummary(BaseModel):
    call_id: str
    arrived_at: datetime | None = None
    queue_id: str | None = None
    direction: str | None = None
    talk_s: float | None = None
    outcome: str | None = None
    disposition: str | None = None


class CustomerCard(BaseModel):
    customer_id: str | None
    name: str | None
    tier: str
    phone_masked: str | None
    open_complaints: int | None = None
    last_calls: list[CallSummary] = []


class TaskCard(BaseModel):
    """The preview of an outbound call's task: why the customer is called, which attempt."""

    task_id: str
    kind: Literal["return_visit", "callback"]
    reason: str = Field(description="what the call is about, e.g. the sale it follows")
    attempt: int
    max_attempts: int
    due_at: datetime
    note: str | None = None


class CurrentCall(BaseModel):
    call_id: str
    queue_id: str | None = None
    state: str | None = None
    tier: str | None = None
    caller_masked: str | None = None
    direction: str = "inbound"
    customer: CustomerCard | None = None
    task: TaskCard | None = None


class NamedRef(BaseModel):
    id: str
    name: str


class AgentFigures(BaseModel):
    calls: int
    average_handle_s: float | None
    qa_score: float | None = None


class ShiftOut(BaseModel):
    activity: str
    start_at: datetime
    end_at: datetime


class AgentView(BaseModel):
    """Everything the softphone dashboard needs on load (and after a resync)."""

    agent_id: str
    name: str
    state: AgentStateOut
    call: CurrentCall | None
    reasons: list[str]
    dispositions: list[str]
    complaint_categories: list[str]
    queues: list[NamedRef]
    agents: list[NamedRef]
    today: AgentFigures
    shifts: list[ShiftOut]
    server_ms: int


# --- calls -----------------------------------------------------------------------------------


class TransferBody(_In):
    target_kind: Literal["queue", "agent"]
    target: str = Field(pattern=ID)


class ComplaintDraft(_In):
    category: str = Field(min_length=1, max_length=64, description="one of complaints.categories")
    severity: str = Field("medium", min_length=1, max_length=16, description="a configured one")
    description: str = Field(min_length=1, max_length=4000)
    wish: str | None = Field(None, max_length=2000, description="what the customer asks for")


class WrapUpBody(_In):
    disposition: str = Field(min_length=1, max_length=64, description="one of routing.dispositions")
    notes: str = Field("", max_length=4000)
    callback_at: datetime | None = Field(None, description="schedule a callback (timezone-aware)")
    complaint: ComplaintDraft | None = None
    end_wrap_up: bool = True


class ReturnVisitBody(_In):
    """The agent's form after an outbound task's call; satisfaction only for a reached return
    visit."""

    outcome: Literal["reached", "wrong_number", "refused"]
    satisfied: bool | None = None
    score: int | None = Field(None, ge=1, le=5, description="customer's score, 1 to 5")
    comment: str | None = Field(None, max_length=2000)


class ReturnVisitOut(BaseModel):
    task_id: str
    outcome: str


class SpyBody(_In):
    mode: Literal["listen", "whisper", "barge"]


class CallbackInQueueBody(_In):
    number: str = Field(
        min_length=1,
        max_length=32,
        description="E.164, or a national number read in the configured default region",
    )


class CallbackInQueueOut(BaseModel):
    call_id: str
    number: str = Field(description="E.164")
    queue_id: str
    queue_name: str | None = None
    dial_call_id: str = Field(
        description="the call that dials the number when the turn comes (its events carry "
        "origin_call_id = call_id)"
    )


class CommandOut(BaseModel):
    command_id: str


class WrapUpOut(BaseModel):
    event_id: str
    callback_task_id: str | None = None
    complaint_id: str | None = None
    state: str | None = None


# --- supervisor ------------------------------------------------------------------------------


class ForceNotReadyBody(_In):
    reason: str = Field("meeting", min_length=1, max_length=32)


class PeriodOut(BaseModel):
    offered: int
    answered: int
    abandoned: int
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


class AgentsQuery(_In):
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


class DayQuery(_In):
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
