"""Schemas of sign-in over the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from web.schemas import Input


class LoginBody(Input):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    username: str | None
    role: str | None
    agent_id: str | None
    display_name: str | None
    csrf_token: str
