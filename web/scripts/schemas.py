"""Schemas of the call scripts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from queueing.call_scripts import MAX_PHRASES, MAX_TEXT_CHARS, CallScript
from web.schemas import Input


class ScriptBody(Input):
    greeting: str = Field(max_length=MAX_TEXT_CHARS)
    verification: str = Field(max_length=MAX_TEXT_CHARS)
    closing: str = Field(max_length=MAX_TEXT_CHARS)
    phrases: list[str] = Field(max_length=MAX_PHRASES, description="each phrase checked as saved")


class ScriptOut(BaseModel):
    queue_id: str
    queue_name: str
    greeting: str
    verification: str
    closing: str
    phrases: list[str]
    is_default: bool = Field(description="true: the defaults, never edited for this queue")
    updated_by: str | None
    updated_at: datetime | None
    changed: list[str] = Field(default_factory=list, description="parts this save changed")

    @classmethod
    def of(cls, s: CallScript, queue_name: str, changed: list[str] | None = None) -> ScriptOut:
        return cls(
            queue_id=s.queue_id,
            queue_name=queue_name,
            greeting=s.greeting,
            verification=s.verification,
            closing=s.closing,
            phrases=list(s.phrases),
            is_default=s.is_default,
            updated_by=s.updated_by,
            updated_at=s.updated_at,
            changed=changed or [],
        )


class ScriptsOut(BaseModel):
    scripts: list[ScriptOut]
