"""Schemas of call control: the agent's commands and wrap-up, the supervisor's listen / whisper /
barge and callback in queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import ID, Input

NONE_GIVEN = "none_given"  # the disposition of a wrap-up saved without one (time ran out)


class TransferBody(Input):
    target_kind: Literal["queue", "agent", "number"]
    target: str = Field(
        min_length=1, max_length=64, description="a queue id, an agent id or a phone number"
    )


class MuteBody(Input):
    muted: bool = Field(description="true: the customer no longer hears the agent")


class DtmfBody(Input):
    digits: str = Field(
        pattern=r"^[0-9*#A-Da-d]{1,32}$", description="tones to the customer's side, in order"
    )


class ComplaintDraft(Input):
    category: str = Field(min_length=1, max_length=64, description="one of complaints.categories")
    severity: str = Field("medium", min_length=1, max_length=16, description="a configured one")
    description: str = Field(
        "", max_length=4000, description="required: an empty one fails the complaint part only"
    )
    wish: str | None = Field(None, max_length=2000, description="what the customer asks for")


class NewCustomerBody(Input):
    """A customer created from the call: the caller's number, the name and tier the agent gives."""

    name: str = Field(min_length=1, max_length=200)
    tier: str = Field("ordinary", max_length=16, description="one the role may give")


class WrapUpBody(Input):
    """The wrap-up: disposition and notes are always saved; each other part on its own."""

    disposition: str = Field(
        "", max_length=64, description=f"one of routing.dispositions; empty: {NONE_GIVEN}"
    )
    notes: str = Field("", max_length=4000)
    callback_at: datetime | None = Field(None, description="schedule a callback (timezone-aware)")
    complaint: ComplaintDraft | None = None
    customer_id: str | None = Field(None, pattern=ID, description="link the call to a customer")
    new_customer: NewCustomerBody | None = Field(None, description="create the caller's record")
    expired: bool = Field(False, description="saved because the wrap-up time ran out")
    end_wrap_up: bool = True


class WrapUpDraft(Input):
    """What the agent has typed so far (any field may be missing or half done)."""

    disposition: str = Field("", max_length=64)
    notes: str = Field("", max_length=4000)
    callback_at: str = Field("", max_length=40, description="as typed (local time)")
    complaint: bool = False
    complaint_category: str = Field("", max_length=64)
    complaint_severity: str = Field("", max_length=16)
    complaint_description: str = Field("", max_length=4000)
    customer_id: str | None = Field(None, pattern=ID)


class DraftOut(BaseModel):
    draft: WrapUpDraft | None


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
    number: str | None = Field(
        None,
        min_length=1,
        max_length=32,
        description="E.164, or a national number read in the configured default region; "
        "required unless caller_number is true",
    )
    caller_number: bool = Field(
        False, description="call back at the number the caller called from (the waiting list)"
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


class PartResult(BaseModel):
    """How one part of the wrap-up went: ``ok``, or the field and message of what failed."""

    ok: bool
    id: str | None = None
    field: str | None = None
    message: str | None = None


class WrapUpOut(BaseModel):
    event_id: str
    disposition: str
    parts: dict[str, PartResult] = Field(
        default_factory=dict,
        description="customer, complaint, callback: each part asked for, as it went",
    )
    customer_id: str | None = None
    callback_task_id: str | None = None
    complaint_id: str | None = None
    state: str | None = None


class FoundCustomer(BaseModel):
    customer_id: str
    name: str
    tier: str
    phone_masked: str | None


class CallerOut(BaseModel):
    customer: FoundCustomer


class CustomersOut(BaseModel):
    customers: list[FoundCustomer]
