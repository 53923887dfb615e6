"""Schemas of the agent's dashboard: its state, the call on screen with the customer card and
the outbound task, today's figures and shifts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import ID, Input


class NotReadyBody(Input):
    reason: str = Field(min_length=1, max_length=32, description="one of routing.not_ready_reasons")


class LinkCustomerBody(Input):
    customer_id: str = Field(pattern=ID)


class CustomerSearchQuery(Input):
    q: str = Field(min_length=1, max_length=100, description="a name (or part of one) or a number")


class ExtendWrapUpBody(Input):
    extra_s: int = Field(ge=1, le=3600)


class AgentStateOut(BaseModel):
    agent_id: str
    state: str
    reason: str | None = None
    since_ms: int | None = None
    call_id: str | None = None
    queue_id: str | None = None
    wrap_until_ms: int | None = None

    @classmethod
    def from_hash(cls, agent_id: str, h: dict[str, str]) -> AgentStateOut:
        """The agent's state from its router hash (``queueing/keys.py``)."""
        return cls(
            agent_id=agent_id,
            state=h.get("state") or "logged_out",
            reason=h.get("reason") or None,
            since_ms=_int(h.get("since")),
            call_id=h.get("call") or None,
            queue_id=h.get("queue") or None,
            wrap_until_ms=_int(h.get("wrap_until")),
        )


def _int(v: str | None) -> int | None:
    return int(float(v)) if v else None


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


class ReturnVisitQuestion(BaseModel):
    field: str = Field(description="the answer it fills in: satisfied, score or comment")
    text: str


class ReturnVisitFormOut(BaseModel):
    """What the agent says and asks on a return visit, in the centre's language."""

    title: str
    opening: str
    questions: list[ReturnVisitQuestion]
    closing: str


class TaskCard(BaseModel):
    """The preview of an outbound call's task: why the customer is called, which attempt."""

    task_id: str
    kind: Literal["return_visit", "callback"]
    reason: str = Field(description="what the call is about, e.g. the sale it follows")
    attempt: int
    max_attempts: int
    due_at: datetime
    note: str | None = None
    form: ReturnVisitFormOut | None = Field(
        None, description="return visits: the return-visit form (outbound.return_visit_form)"
    )


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
    # the post-call survey of today's calls (not the return visits' form, which is the task's)
    surveyed: int = 0
    csat_pct: float | None = Field(None, description="surveyed calls scored 4-5, percent")


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
    customer_tiers: list[str] = Field(description="the tiers this user may give a new customer")
    queues: list[NamedRef]
    agents: list[NamedRef]
    today: AgentFigures
    shifts: list[ShiftOut]
    server_ms: int


class DialBody(Input):
    number: str = Field(min_length=3, max_length=32, description="E.164 or national")
    override_reason: str | None = Field(
        None,
        max_length=500,
        description="dial a do-not-call customer or outside their hours anyway (audited)",
    )


class DialRefusal(BaseModel):
    reason: Literal["do_not_call", "calling_hours"]
    message: str


class DialPreviewOut(BaseModel):
    """The number as it will be dialled, the customer when it is a known one's, and what would
    stop the dial (each needs an override reason)."""

    number: str
    customer: CustomerCard | None
    refusals: list[DialRefusal]


class DialOut(BaseModel):
    call_id: str
    command_id: str
    number: str
    overridden: list[str] = Field(description="the refusals the agent's reason overrode")
