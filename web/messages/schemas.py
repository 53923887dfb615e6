"""Schemas of supervisors' messages to agents and teams."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from web.schemas import ID, Input


class MessageBody(Input):
    agent_id: str | None = Field(None, pattern=ID, description="one agent, or")
    team: str | None = Field(None, min_length=1, max_length=64, description="every agent of a team")
    text: str = Field(min_length=1, max_length=500)


class MessageOut(BaseModel):
    message_id: str
    text: str
    from_user: str
    sent_at: datetime
    team: str | None = None


class SentOut(BaseModel):
    message_id: str
    agent_ids: list[str] = Field(description="who the message reached")


class MessagesOut(BaseModel):
    messages: list[MessageOut]
