"""The schemas of complaints's endpoints (``web/complaints/http.py``): what each reads and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import ID, Input

STATUSES = Literal["open", "acknowledged", "in_progress", "resolved", "closed", "reopened"]


FILTER_STATUSES = Literal[
    "active", "open", "acknowledged", "in_progress", "resolved", "closed", "reopened"
]


class TicketsQuery(Input):
    status: FILTER_STATUSES | None = None
    severity: str | None = Field(None, max_length=32, pattern=ID)
    category: str | None = Field(None, max_length=64, pattern=ID)
    assignee: str | None = Field(None, max_length=64, pattern=ID)
    overdue: bool = False


class TicketRow(BaseModel):
    complaint_id: str
    customer_id: str | None
    call_id: str | None
    category: str
    severity: str
    status: str
    description: str
    opened_at: datetime
    acknowledge_due_at: datetime | None
    resolve_due_at: datetime | None
    overdue: list[str]
    assignee: str | None
    updated_at: datetime | None


class TicketsOut(BaseModel):
    server_at: datetime
    categories: list[str]
    severities: list[str]
    tickets: list[TicketRow]


class HistoryRow(BaseModel):
    kind: Literal["status", "assignment"]
    at: datetime
    by: str | None
    status: str | None = None
    assignee: str | None = None
    note: str | None = None


class TicketOut(BaseModel):
    ticket: TicketRow
    wish: str | None
    history: list[HistoryRow]
    allowed: list[str]
    agents: list[dict[str, str]]


class StatusBody(Input):
    status: STATUSES
    note: str = Field("", max_length=4000)


class AssignBody(Input):
    assignee: str = Field(pattern=ID)
    note: str = Field("", max_length=4000)


class ReportsQuery(Input):
    days: int = Field(30, ge=1, le=366)


class SummaryRow(BaseModel):
    category: str
    severity: str
    tickets: int
    ack_h_mean: float | None
    resolve_h_mean: float | None
    ack_in_time_pct: float | None
    resolved_in_time_pct: float | None
    reopen_rate_pct: float | None


class DayCount(BaseModel):
    day: str
    opened: int
    resolved: int


class ReportsOut(BaseModel):
    days: int
    summary: list[SummaryRow]
    per_day: list[DayCount]
    return_visits: dict[str, float | int | None]
    return_visits_by_outcome: dict[str, int]
