"""Schemas of the customer card API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from customers.card import MAX_NOTES_CHARS
from web.schemas import Input


class ContactBody(Input):
    """The contact fields to change; a field left out stays as it is."""

    name: str | None = Field(None, max_length=200)
    phones: list[str] | None = Field(None, max_length=5, description="first = primary")
    email: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=MAX_NOTES_CHARS)


class CustomerOut(BaseModel):
    customer_id: str
    name: str
    tier: str
    phones: list[str]
    email: str | None
    notes: str | None
    do_not_call: bool
    unmasked: list[str] = Field(description="the personal fields shown unmasked (audited)")


class HistoryOut(BaseModel):
    calls: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    tasks: list[dict[str, Any]] = Field(description="return visits and callbacks")


class CardOut(BaseModel):
    customer: CustomerOut
    editable: list[str] = Field(description="the contact fields this user may edit")
    history: HistoryOut
    changed: list[str] = Field(default_factory=list, description="fields this edit changed")
    server_at: datetime
