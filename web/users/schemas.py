"""Schemas of the user administration API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kernel.vocabulary import ROLES
from web.schemas import ID, Input
from web.session.passwords import MIN_PASSWORD_CHARS

ROLE_PATTERN = "^(" + "|".join(ROLES) + ")$"


class LockOut(BaseModel):
    until: datetime
    address: str | None = Field(description="null: locked from every address")


class UserOut(BaseModel):
    username: str
    role: str
    agent_id: str | None
    display_name: str | None
    active: bool
    created_at: datetime
    locks: list[LockOut]
    locked_until: datetime | None = Field(description="the latest of the locks' ends, if any")


class UsersOut(BaseModel):
    server_at: datetime
    users: list[UserOut]


class NewUserBody(Input):
    username: str = Field(pattern=ID, max_length=64)
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=200)
    role: str = Field(pattern=ROLE_PATTERN)
    agent_id: str | None = Field(None, pattern=ID, max_length=64)
    display_name: str | None = Field(None, max_length=200)


class ActiveBody(Input):
    active: bool


class PasswordBody(Input):
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=200)


class UnlockOut(BaseModel):
    username: str
    was_locked: bool


class RevokedOut(BaseModel):
    username: str
    sessions_ended: int
