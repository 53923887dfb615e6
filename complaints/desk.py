"""The supervisor's complaint desk: the ticket list with its filters and order, one ticket's
file (status changes and assignments in time order, the customer's wish, who it may go to), and
assigning a ticket. It lives beside the tickets so the web handlers only parse, call this and
shape the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints.lifecycle import (
    ACTIVE,
    ComplaintConfig,
    ComplaintFieldError,
    ComplaintNotFoundError,
)
from complaints.tickets import list_complaints
from kernel.messages import N_
from store.models.core import Agent
from store.models.customers import Complaint, ComplaintHistory
from store.models.workspaces import ComplaintAssignment
from store.readers import agent_names

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
DONE = ("resolved", "closed")


@dataclass(frozen=True, slots=True)
class DeskFilter:
    """The desk's filters; ``status="active"`` means any status still being worked on."""

    status: str | None = None
    overdue: bool = False
    severity: str | None = None
    category: str | None = None
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class FileEntry:
    kind: Literal["status", "assignment"]
    at: datetime
    by: str | None
    note: str | None
    status: str | None = None
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class TicketFile:
    """A ticket with what the desk shows beside it."""

    ticket: dict[str, Any]
    assignee: str | None
    wish: str | None
    history: list[FileEntry]
    agents: list[tuple[str, str]]  # (agent id, name) of the active agents, by name


async def current_assignees(engine: AsyncEngine) -> dict[str, str]:
    """Each assigned complaint's latest assignee."""
    a = ComplaintAssignment.__table__
    async with engine.connect() as conn:
        rows = await conn.execute(select(a.c.complaint_id, a.c.assignee).order_by(a.c.at, a.c.id))
        return {r.complaint_id: r.assignee for r in rows}


async def desk_tickets(
    engine: AsyncEngine, *, now: datetime, config: ComplaintConfig, where: DeskFilter
) -> list[tuple[dict[str, Any], str | None]]:
    """(ticket, assignee) pairs passing ``where``: overdue first, then open before done, then by
    severity and age."""
    statuses: list[str] | None = None
    if where.status == "active":
        statuses = sorted(ACTIVE)
    elif where.status:
        statuses = [where.status]
    rows = await list_complaints(
        engine, now=now, config=config, overdue_only=where.overdue, statuses=statuses
    )
    assignees = await current_assignees(engine)
    out = [
        (t, assignees.get(t["complaint_id"]))
        for t in rows
        if not (where.overdue and not t["overdue"])
        and not (where.severity and t["severity"] != where.severity)
        and not (where.category and t["category"] != where.category)
        and not (where.assignee and assignees.get(t["complaint_id"]) != where.assignee)
    ]
    out.sort(
        key=lambda pair: (
            not pair[0]["overdue"],
            pair[0]["status"] in DONE,
            SEVERITY_ORDER.get(pair[0]["severity"], 9),
            pair[0]["opened_at"],
        )
    )
    return out


async def find_ticket(
    engine: AsyncEngine, complaint_id: str, *, now: datetime, config: ComplaintConfig
) -> dict[str, Any]:
    """The ticket with its current deadlines; ``ComplaintNotFoundError`` when there is none."""
    rows = await list_complaints(engine, now=now, config=config)
    found = next((t for t in rows if t["complaint_id"] == complaint_id), None)
    if found is None:
        raise ComplaintNotFoundError(complaint_id)
    return found


async def ticket_file(
    engine: AsyncEngine, complaint_id: str, *, now: datetime, config: ComplaintConfig
) -> TicketFile:
    t = await find_ticket(engine, complaint_id, now=now, config=config)
    h, a = ComplaintHistory.__table__, ComplaintAssignment.__table__
    async with engine.connect() as conn:
        statuses = (
            await conn.execute(
                select(h.c.status, h.c.at, h.c.by_user, h.c.note).where(
                    h.c.complaint_id == complaint_id
                )
            )
        ).all()
        assigns = (
            await conn.execute(
                select(a.c.assignee, a.c.at, a.c.by_user, a.c.note).where(
                    a.c.complaint_id == complaint_id
                )
            )
        ).all()
        wish = (
            await conn.execute(select(Complaint.wish).where(Complaint.complaint_id == complaint_id))
        ).scalar()
    history = [
        FileEntry(kind="status", at=r.at, by=r.by_user, status=r.status, note=r.note)
        for r in statuses
    ]
    history += [
        FileEntry(kind="assignment", at=r.at, by=r.by_user, assignee=r.assignee, note=r.note)
        for r in assigns
    ]
    history.sort(key=lambda r: r.at)
    assignee = max(assigns, key=lambda r: r.at).assignee if assigns else None
    return TicketFile(
        ticket=t,
        assignee=assignee,
        wish=wish,
        history=history,
        agents=sorted(
            (await agent_names(engine, active_only=True)).items(), key=lambda a: (a[1], a[0])
        ),
    )


async def assign(
    engine: AsyncEngine,
    complaint_id: str,
    assignee: str,
    *,
    by: str,
    note: str | None,
    now: datetime,
    config: ComplaintConfig,
) -> None:
    """Record ``assignee`` as the ticket's owner; the agent must exist
    (``ComplaintFieldError`` on ``assignee`` otherwise)."""
    await find_ticket(engine, complaint_id, now=now, config=config)
    async with engine.begin() as conn:
        known = (
            await conn.execute(select(Agent.agent_id).where(Agent.agent_id == assignee))
        ).scalar()
        if known is None:
            raise ComplaintFieldError(
                "assignee", assignee, N_("no agent %(agent_id)s"), {"agent_id": assignee}
            )
        await conn.execute(
            insert(ComplaintAssignment).values(
                complaint_id=complaint_id, assignee=assignee, by_user=by, note=note, at=now
            )
        )
