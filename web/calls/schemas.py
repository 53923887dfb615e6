"""Schemas of call control: the agent's commands and wrap-up, the supervisor's listen / whisper /
barge and callback in queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import ID, Input


class TransferBody(Input):
    target_kind: Literal["queue", "agent"]
    target: str = Field(pattern=ID)


class ComplaintDraft(Input):
    category: str = Field(min_length=1, max_length=64, description="one of complaints.categories")
    severity: str = Field("medium", min_length=1, max_length=16, description="a configured one")
    description: str = Field(min_length=1, max_length=4000)
    wish: str | None = Field(None, max_length=2000, description="what the customer asks for")


class WrapUpBody(Input):
    disposition: str = Field(min_length=1, max_length=64, description="one of routing.dispositions")
    notes: str = Field("", max_length=4000)
    callback_at: datetime | None = Field(None, description="schedule a callback (timezone-aware)")
    complaint: ComplaintDraft | None = None
    end_wrap_up: bool = True


class ReturnVisitBody(Input):
    """The agent's form after an outbound task's call; satisfaction only for a reached return
    visit."""

    outcome: Literal["reached", "wrong_number", "refused"]
    satisfied: bool | None = None
    score: int | None = Field(None, ge=1, le=5, description="customer's score, 1 to 5")
    comment: str | None = Field(None, max_length=2000)


class ReturnVisitOut(BaseModel):
    task_id: str
    outcome: str


class SpyBody(Input):
    mode: Literal["listen", "whisper", "barge"]


class CallbackInQueueBody(Input):
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
