"""The supervisor's complaint desk: tickets with filters and overdue flags, a ticket's history,
assignment and status changes, and the complaint and return-visit reports."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from complaints.lifecycle import (
    ComplaintConfig,
    ComplaintFieldError,
    ComplaintNotFoundError,
    TransitionError,
)
from complaints.reports import complaint_summary, load_complaints, load_tasks, return_visit_summary
from complaints.tickets import change_status, list_complaints
from outbound.tasks import OutboundConfig
from store.models.core import Agent
from store.models.customers import Complaint, ComplaintHistory
from store.models.workspaces import ComplaintAssignment
from web.complaints.schemas import (
    AssignBody,
    DayCount,
    HistoryRow,
    ReportsOut,
    ReportsQuery,
    StatusBody,
    SummaryRow,
    TicketOut,
    TicketRow,
    TicketsOut,
    TicketsQuery,
)
from web.endpoints import ApiCall, Endpoints
from web.errors import ConflictError, NotFoundError, invalid
from web.roles import SUPERVISOR

api = Endpoints(tag="complaints")


def _clean(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else round(f, 2)


# ---- schemas -----------------------------------------------------------------------------------


# ---- helpers -----------------------------------------------------------------------------------


async def _assignees(call: ApiCall) -> dict[str, str]:
    a = ComplaintAssignment.__table__
    async with call.rt.engine.connect() as conn:
        rows = await conn.execute(select(a.c.complaint_id, a.c.assignee).order_by(a.c.at, a.c.id))
        return {r.complaint_id: r.assignee for r in rows}


def _row(t: dict[str, Any], assignee: str | None) -> TicketRow:
    return TicketRow(
        complaint_id=t["complaint_id"],
        customer_id=t["customer_id"],
        call_id=t["call_id"],
        category=t["category"],
        severity=t["severity"],
        status=t["status"],
        description=t["description"],
        opened_at=t["opened_at"],
        acknowledge_due_at=t["state"].acknowledge_due_at
        if t["status"] not in ("resolved", "closed")
        else t["acknowledge_due_at"],
        resolve_due_at=t["resolve_due_at"],
        overdue=list(t["overdue"]),
        assignee=assignee,
        updated_at=t["updated_at"],
    )


def _config(call: ApiCall) -> ComplaintConfig:
    return ComplaintConfig.from_settings(call.rt.settings)


async def _ticket(call: ApiCall, complaint_id: str) -> dict[str, Any]:
    rows = await list_complaints(call.rt.engine, now=datetime.now(UTC), config=_config(call))
    found = next((t for t in rows if t["complaint_id"] == complaint_id), None)
    if found is None:
        raise NotFoundError(f"no complaint {complaint_id}", field="complaint_id")
    return found


# ---- endpoints ---------------------------------------------------------------------------------


@api.op(
    "GET",
    "/api/complaints/tickets",
    roles=SUPERVISOR,
    summary="List complaint tickets with their deadlines",
    query=TicketsQuery,
    response=TicketsOut,
)
async def complaint_tickets(call: ApiCall) -> TicketsOut:
    q: TicketsQuery = call.query
    now = datetime.now(UTC)
    config = _config(call)
    statuses = None
    if q.status == "active":
        statuses = ["open", "acknowledged", "in_progress", "reopened"]
    elif q.status:
        statuses = [q.status]
    rows = await list_complaints(
        call.rt.engine, now=now, config=config, overdue_only=q.overdue, statuses=statuses
    )
    assignees = await _assignees(call)
    out = []
    for t in rows:
        if q.overdue and not t["overdue"]:
            continue
        if q.severity and t["severity"] != q.severity:
            continue
        if q.category and t["category"] != q.category:
            continue
        if q.assignee and assignees.get(t["complaint_id"]) != q.assignee:
            continue
        out.append(_row(t, assignees.get(t["complaint_id"])))
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    out.sort(
        key=lambda r: (
            not r.overdue,
            r.status in ("resolved", "closed"),
            order.get(r.severity, 9),
            r.opened_at,
        )
    )
    return TicketsOut(
        server_at=now,
        categories=list(config.categories),
        severities=list(config.policy.severities),
        tickets=out,
    )


@api.op(
    "GET",
    "/api/complaints/tickets/{complaint_id}",
    roles=SUPERVISOR,
    summary="Read a complaint ticket with its history",
    response=TicketOut,
)
async def complaint_ticket(call: ApiCall) -> TicketOut:
    return await _ticket_out(call, call.path["complaint_id"])


async def _ticket_out(call: ApiCall, complaint_id: str) -> TicketOut:
    from complaints.lifecycle import TRANSITIONS

    t = await _ticket(call, complaint_id)
    h, a = ComplaintHistory.__table__, ComplaintAssignment.__table__
    async with call.rt.engine.connect() as conn:
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
        agents = (
            await conn.execute(
                select(Agent.agent_id, Agent.name)
                .where(Agent.active.is_(True))
                .order_by(Agent.name)
            )
        ).all()
    history = [
        HistoryRow(kind="status", at=r.at, by=r.by_user, status=r.status, note=r.note)
        for r in statuses
    ]
    history += [
        HistoryRow(kind="assignment", at=r.at, by=r.by_user, assignee=r.assignee, note=r.note)
        for r in assigns
    ]
    history.sort(key=lambda r: r.at)
    assignee = assigns[-1].assignee if assigns else None
    if assigns:
        assignee = max(assigns, key=lambda r: r.at).assignee
    return TicketOut(
        ticket=_row(t, assignee),
        wish=wish,
        history=history,
        allowed=sorted(TRANSITIONS.get(t["status"], ())),
        agents=[{"id": r.agent_id, "name": r.name} for r in agents],
    )


@api.op(
    "POST",
    "/api/complaints/tickets/{complaint_id}/status",
    roles=SUPERVISOR,
    summary="Change a complaint's status",
    body=StatusBody,
    response=TicketOut,
)
async def complaint_set_status(call: ApiCall) -> TicketOut:
    body: StatusBody = call.body
    complaint_id = call.path["complaint_id"]
    s = call.rt.settings
    assert call.principal is not None
    try:
        await change_status(
            call.rt.engine,
            complaint_id,
            body.status,
            now=datetime.now(UTC),
            config=_config(call),
            by=call.principal.username,
            note=body.note or None,
            outbound=OutboundConfig.from_settings(s),
            redis=call.rt.redis,
            prefix=s.redis_prefix,
        )
    except ComplaintNotFoundError:
        raise NotFoundError(f"no complaint {complaint_id}", field="complaint_id") from None
    except TransitionError as exc:
        raise ConflictError(str(exc), field="status") from None
    except ComplaintFieldError as exc:
        raise invalid(exc.field, exc.message) from None
    return await _ticket_out(call, complaint_id)


@api.op(
    "POST",
    "/api/complaints/tickets/{complaint_id}/assign",
    roles=SUPERVISOR,
    summary="Assign a complaint to an agent",
    body=AssignBody,
    response=TicketOut,
)
async def complaint_assign(call: ApiCall) -> TicketOut:
    body: AssignBody = call.body
    complaint_id = call.path["complaint_id"]
    await _ticket(call, complaint_id)
    assert call.principal is not None
    async with call.rt.engine.begin() as conn:
        known = (
            await conn.execute(select(Agent.agent_id).where(Agent.agent_id == body.assignee))
        ).scalar()
        if known is None:
            raise invalid("assignee", f"no agent {body.assignee}")
        await conn.execute(
            insert(ComplaintAssignment).values(
                complaint_id=complaint_id,
                assignee=body.assignee,
                by_user=call.principal.username,
                note=body.note or None,
                at=datetime.now(UTC),
            )
        )
    return await _ticket_out(call, complaint_id)


@api.op(
    "GET",
    "/api/complaints/reports",
    roles=SUPERVISOR,
    summary="Read the complaint and return-visit reports",
    query=ReportsQuery,
    response=ReportsOut,
)
async def complaint_reports(call: ApiCall) -> ReportsOut:
    q: ReportsQuery = call.query
    now = datetime.now(UTC)
    since = now - timedelta(days=q.days)
    policy = _config(call).policy
    df = await load_complaints(call.rt.engine, policy, since=since)
    summary = complaint_summary(df)
    tasks = await load_tasks(call.rt.engine, since=since)
    per_day: list[DayCount] = []
    if not df.empty:
        opened = df["opened_at"].dt.strftime("%Y-%m-%d").value_counts()
        resolved = df["resolved_at"].dropna().dt.strftime("%Y-%m-%d").value_counts()
        days = sorted(set(opened.index) | set(resolved.index))
        per_day = [
            DayCount(day=d, opened=int(opened.get(d, 0)), resolved=int(resolved.get(d, 0)))
            for d in days
        ]
    rv = tasks[tasks["kind"] == "return_visit"] if not tasks.empty else tasks
    outcomes: dict[str, int] = {}
    if not rv.empty:
        for k, v in rv["outcome"].fillna(rv["status"]).value_counts().items():
            outcomes[str(k)] = int(v)
    return ReportsOut(
        days=q.days,
        summary=[
            SummaryRow(
                category=r["category"],
                severity=r["severity"],
                tickets=int(r["tickets"]),
                ack_h_mean=_clean(r["ack_h_mean"]),
                resolve_h_mean=_clean(r["resolve_h_mean"]),
                ack_in_time_pct=_clean(r["ack_in_time_pct"]),
                resolved_in_time_pct=_clean(r["resolved_in_time_pct"]),
                reopen_rate_pct=_clean(r["reopen_rate_pct"]),
            )
            for r in summary.to_dict("records")
        ],
        per_day=per_day,
        return_visits=return_visit_summary(tasks, now) if not tasks.empty else {"return_visits": 0},
        return_visits_by_outcome=outcomes,
    )
