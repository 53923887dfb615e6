"""The supervisor's complaint desk: tickets with filters and overdue flags, a ticket's history,
assignment and status changes, and the complaint and return-visit reports (the desk's queries
and rules: ``complaints.desk``, ``complaints.tickets``, ``complaints.reports``)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from complaints.desk import DeskFilter, TicketFile, assign, desk_tickets, ticket_file
from complaints.lifecycle import (
    TRANSITIONS,
    ComplaintConfig,
    ComplaintFieldError,
    ComplaintNotFoundError,
    TransitionError,
)
from complaints.reports import (
    complaint_summary,
    load_complaints,
    load_tasks,
    per_day,
    return_visit_outcomes,
    return_visit_summary,
)
from complaints.tickets import change_status
from outbound.tasks import OutboundConfig
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
from web.errors import ConflictError, NotFoundError, invalid_because
from web.i18n.catalog import N_
from web.roles import SUPERVISOR

api = Endpoints(tag="complaints")


def _clean(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else round(f, 2)


# ---- helpers -----------------------------------------------------------------------------------


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
    where = DeskFilter(q.status, q.overdue, q.severity, q.category, q.assignee)
    pairs = await desk_tickets(call.rt.engine, now=now, config=config, where=where)
    return TicketsOut(
        server_at=now,
        categories=list(config.categories),
        severities=list(config.policy.severities),
        tickets=[_row(t, assignee) for t, assignee in pairs],
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
    try:
        f = await ticket_file(
            call.rt.engine, complaint_id, now=datetime.now(UTC), config=_config(call)
        )
    except ComplaintNotFoundError:
        raise NotFoundError(
            N_("no complaint %(complaint_id)s"),
            field="complaint_id",
            params={"complaint_id": complaint_id},
        ) from None
    return _file_out(f)


def _file_out(f: TicketFile) -> TicketOut:
    return TicketOut(
        ticket=_row(f.ticket, f.assignee),
        wish=f.wish,
        history=[
            HistoryRow(
                kind=e.kind, at=e.at, by=e.by, status=e.status, assignee=e.assignee, note=e.note
            )
            for e in f.history
        ],
        allowed=sorted(TRANSITIONS.get(f.ticket["status"], ())),
        agents=[{"id": agent_id, "name": name} for agent_id, name in f.agents],
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
        raise NotFoundError(
            N_("no complaint %(complaint_id)s"),
            field="complaint_id",
            params={"complaint_id": complaint_id},
        ) from None
    except TransitionError as exc:
        msgid, params = exc.explanation()
        raise ConflictError(msgid, field="status", params=params) from None
    except ComplaintFieldError as exc:
        raise invalid_because(exc.field, exc) from None
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
    assert call.principal is not None
    try:
        await assign(
            call.rt.engine,
            complaint_id,
            body.assignee,
            by=call.principal.username,
            note=body.note or None,
            now=datetime.now(UTC),
            config=_config(call),
        )
    except ComplaintNotFoundError:
        raise NotFoundError(
            N_("no complaint %(complaint_id)s"),
            field="complaint_id",
            params={"complaint_id": complaint_id},
        ) from None
    except ComplaintFieldError as exc:
        raise invalid_because(exc.field, exc) from None
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
        per_day=[DayCount(day=d, opened=o, resolved=r) for d, o, r in per_day(df)],
        return_visits=return_visit_summary(tasks, now) if not tasks.empty else {"return_visits": 0},
        return_visits_by_outcome=return_visit_outcomes(tasks),
    )
