"""Complaint tickets in the store: open, move through their statuses, escalate when overdue.

Deadlines come from ``complaints.deadlines`` (pure) and are recomputed from the history on every
change; the current cycle's deadlines are kept on the row for queries. Every change is a domain
event written into the call-event store in the same transaction (``complaint.opened``,
``complaint.status``, ``complaint.overdue``) and then put on the events stream. A resolved ticket
with a known customer gets a return visit (``outbound.tasks_store``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from complaints.deadlines import DeadlineState, StatusChange, deadline_state, overdue_kinds
from complaints.lifecycle import (
    ACTIVE,
    TRANSITIONS,
    ComplaintConfig,
    ComplaintFieldError,
    ComplaintNotFoundError,
    TransitionError,
)
from kernel.events import DomainEvent, make_event_id
from kernel.messages import N_
from outbound.tasks import OutboundConfig
from outbound.tasks_store import create_task
from store.models.core import Customer
from store.models.customers import Complaint, ComplaintHistory
from store.writer import publish, write_events

log = logging.getLogger(__name__)


async def _history(conn: AsyncConnection, complaint_id: str) -> list[StatusChange]:
    h = ComplaintHistory.__table__
    res = await conn.execute(
        select(h.c.status, h.c.at).where(h.c.complaint_id == complaint_id).order_by(h.c.at, h.c.id)
    )
    return [StatusChange(r.status, r.at) for r in res]


def _row_deadlines(state: DeadlineState) -> dict[str, Any]:
    return {
        "cycle": state.cycle,
        "acknowledge_due_at": state.acknowledge_due_at,
        "resolve_due_at": state.resolve_due_at,
    }


async def open_complaint(
    engine: AsyncEngine,
    *,
    category: str,
    severity: str,
    description: str,
    now: datetime,
    config: ComplaintConfig,
    customer_id: str | None = None,
    call_id: str | None = None,
    wish: str | None = None,
    opened_by: str | None = None,
    complaint_id: str | None = None,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> str:
    """Open a ticket (from a call when ``call_id`` is given, else by hand); returns its id.

    Opening again with the same ``complaint_id`` changes nothing (idempotent)."""
    if category not in config.categories:
        raise ComplaintFieldError(
            "category",
            category,
            N_("must be one of %(choices)s"),
            {"choices": ", ".join(config.categories)},
        )
    if severity not in config.policy.severities:
        raise ComplaintFieldError(
            "severity",
            severity,
            N_("must be one of %(choices)s"),
            {"choices": ", ".join(config.policy.severities)},
        )
    if not description or not description.strip():
        raise ComplaintFieldError("description", description, N_("required"))
    complaint_id = complaint_id or f"CMP-{uuid.uuid4().hex[:12]}"
    state = deadline_state(severity, [StatusChange("open", now)], config.policy)
    c, h = Complaint.__table__, ComplaintHistory.__table__
    async with engine.begin() as conn:
        if customer_id is not None:
            ct = Customer.__table__
            known = await conn.scalar(
                select(ct.c.customer_id).where(ct.c.customer_id == customer_id)
            )
            if known is None:
                raise ComplaintFieldError("customer_id", customer_id, N_("unknown customer"))
        if await conn.scalar(select(c.c.complaint_id).where(c.c.complaint_id == complaint_id)):
            return complaint_id
        await conn.execute(
            insert(c).values(
                complaint_id=complaint_id,
                customer_id=customer_id,
                call_id=call_id,
                category=category,
                severity=severity,
                description=description.strip(),
                wish=wish,
                status="open",
                opened_by=opened_by,
                opened_at=now,
                updated_at=now,
                **_row_deadlines(state),
            )
        )
        await conn.execute(
            insert(h).values(complaint_id=complaint_id, status="open", at=now, by_user=opened_by)
        )
        events = [
            DomainEvent(
                id=make_event_id(complaint_id, "opened"),
                ts=now,
                type="complaint.opened",
                call_id=call_id,
                payload={
                    "complaint_id": complaint_id,
                    "customer_id": customer_id,
                    "category": category,
                    "severity": severity,
                    "by": opened_by,
                    "acknowledge_due": state.acknowledge_due_at.isoformat(),
                    "resolve_due": state.resolve_due_at.isoformat(),
                },
            )
        ]
        await write_events(conn, events)
    await publish(redis, prefix, events)
    log.info("complaint %s opened (%s, %s)", complaint_id, category, severity)
    return complaint_id


async def change_status(
    engine: AsyncEngine,
    complaint_id: str,
    status: str,
    *,
    now: datetime,
    config: ComplaintConfig,
    by: str | None = None,
    note: str | None = None,
    outbound: OutboundConfig | None = None,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> DeadlineState:
    """Move a ticket to ``status``; a resolved ticket with a customer gets a return visit
    (when ``outbound`` is given). Returns the deadlines after the change."""
    c, h = Complaint.__table__, ComplaintHistory.__table__
    async with engine.begin() as conn:
        row = (
            (await conn.execute(select(c).where(c.c.complaint_id == complaint_id)))
            .mappings()
            .first()
        )
        if row is None:
            raise ComplaintNotFoundError(complaint_id)
        current = row["status"]
        if status not in TRANSITIONS.get(current, frozenset()):
            raise TransitionError(complaint_id, current, status)
        history = await _history(conn, complaint_id)
        if history and now < history[-1].at:
            raise ComplaintFieldError("now", now.isoformat(), N_("before the ticket's last change"))
        await conn.execute(
            insert(h).values(
                complaint_id=complaint_id, status=status, at=now, by_user=by, note=note
            )
        )
        history.append(StatusChange(status, now))
        state = deadline_state(row["severity"], history, config.policy)
        values: dict[str, Any] = {"status": status, "updated_at": now, **_row_deadlines(state)}
        if state.cycle == 0:
            values["acknowledged_at"] = state.acknowledged_at
            values["resolved_at"] = state.resolved_at
        if status == "closed":
            values["closed_at"] = now
        await conn.execute(update(c).where(c.c.complaint_id == complaint_id).values(**values))
        events = [
            DomainEvent(
                id=make_event_id(complaint_id, "status", len(history), status),
                ts=now,
                type="complaint.status",
                call_id=row["call_id"],
                payload={
                    "complaint_id": complaint_id,
                    "status": status,
                    "previous": current,
                    "by": by,
                    "note": note,
                    "cycle": state.cycle,
                    "acknowledge_due": state.acknowledge_due_at.isoformat(),
                    "resolve_due": state.resolve_due_at.isoformat(),
                },
            )
        ]
        await write_events(conn, events)
        if status == "resolved" and row["customer_id"] and outbound is not None:
            _, task_events = await create_task(
                conn,
                kind="return_visit",
                customer_id=row["customer_id"],
                source="complaint",
                source_id=f"{complaint_id}#{state.cycle}",
                trigger_at=now,
                now=now,
                config=outbound,
            )
            events.extend(task_events)
    await publish(redis, prefix, events)
    log.info("complaint %s: %s -> %s", complaint_id, current, status)
    return state


async def escalate_overdue(
    engine: AsyncEngine,
    *,
    now: datetime,
    config: ComplaintConfig,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> list[DomainEvent]:
    """A ``complaint.overdue`` event for each deadline that passed unmet, once per ticket, cycle
    and deadline (deterministic ids: running this again publishes nothing new)."""
    c = Complaint.__table__
    new_events: list[DomainEvent] = []
    async with engine.begin() as conn:
        rows = (
            (
                await conn.execute(
                    select(c).where(
                        and_(
                            c.c.status.in_(ACTIVE),
                            (c.c.acknowledge_due_at <= now) | (c.c.resolve_due_at <= now),
                        )
                    )
                )
            )
            .mappings()
            .all()
        )
        for row in rows:
            state = deadline_state(
                row["severity"], await _history(conn, row["complaint_id"]), config.policy
            )
            for kind in overdue_kinds(state, now):
                due = state.acknowledge_due_at if kind == "acknowledge" else state.resolve_due_at
                event = DomainEvent(
                    id=make_event_id(row["complaint_id"], "overdue", state.cycle, kind),
                    ts=now,
                    type="complaint.overdue",
                    call_id=row["call_id"],
                    payload={
                        "complaint_id": row["complaint_id"],
                        "deadline": kind,
                        "due": due.isoformat(),
                        "severity": row["severity"],
                        "category": row["category"],
                        "customer_id": row["customer_id"],
                        "cycle": state.cycle,
                        "escalate_to": "supervisor",
                    },
                )
                if await write_events(conn, [event]):
                    new_events.append(event)
    await publish(redis, prefix, new_events)
    for e in new_events:
        log.warning(
            "complaint %s overdue: %s deadline %s passed",
            e.payload["complaint_id"],
            e.payload["deadline"],
            e.payload["due"],
        )
    return new_events


async def list_complaints(
    engine: AsyncEngine,
    *,
    now: datetime,
    config: ComplaintConfig,
    overdue_only: bool = False,
    statuses: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Tickets with their current deadlines and which of them are overdue at ``now``."""
    c = Complaint.__table__
    q = select(c).order_by(c.c.opened_at)
    if statuses:
        q = q.where(c.c.status.in_(list(statuses)))
    elif overdue_only:
        q = q.where(c.c.status.in_(ACTIVE))
    out = []
    async with engine.connect() as conn:
        for row in (await conn.execute(q)).mappings().all():
            state = deadline_state(
                row["severity"], await _history(conn, row["complaint_id"]), config.policy
            )
            kinds = overdue_kinds(state, now)
            if overdue_only and not kinds:
                continue
            out.append({**dict(row), "overdue": kinds, "state": state})
    return out


async def complaint_history(engine: AsyncEngine, complaint_id: str) -> list[StatusChange]:
    async with engine.connect() as conn:
        return await _history(conn, complaint_id)


async def active_count(engine: AsyncEngine, customer_id: str) -> int:
    """How many of the customer's complaints are still being worked on."""
    c = Complaint.__table__
    stmt = select(func.count()).where(c.c.customer_id == customer_id, c.c.status.in_(ACTIVE))
    async with engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())
