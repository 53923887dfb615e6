"""Outbound tasks in the store: the rules that create them (a sale or a resolved complaint → a
return visit; a customer's request → a callback; a callback asked for while waiting in line →
its mirror, ``mirror_queue_callback``), attempt bookkeeping, outcomes and the agent's
return-visit form, the sales import.

Outcomes find their task from the ``ob-`` call id itself, else from the attempt row
(``attempt_of_call``), written when a queue callback's dial starts.

Every change writes its domain event (``outbound.scheduled``, ``outbound.outcome``) into the
call-event store in the same transaction, with a deterministic id, and then onto the events stream
for live readers; the store writer drops the duplicate. Compare-and-set updates (``WHERE status =
...``) make each step happen once even when two schedulers or a replayed event race for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.records_store import customer_contact
from kernel.events import DomainEvent, make_event_id
from kernel.messages import N_
from kernel.vocabulary import TIERS
from outbound.rules import AttemptResult, after_attempt, place_return_visit
from outbound.sales import SalesImport, parse_sales_csv
from outbound.tasks import (
    AFTER_TALKING,
    QUEUE_SOURCE,
    FormError,
    OutboundConfig,
    TaskNotFoundError,
    call_id_for,
    calling_window,
    form_answers,
    is_queue_callback,
    outcome_event,
    parse_call_id,
    router_dialled,
    scheduled_event,
    task_id_for,
)
from store.models.core import Customer
from store.models.customers import OutboundAttempt, OutboundTask, Sale
from store.writer import publish, write_events

log = logging.getLogger(__name__)


async def attempt_of_call(conn: AsyncConnection, call_id: str | None) -> tuple[str, int] | None:
    """(task id, attempt) of a router call: from the ``ob-<task>-<n>`` id itself, else (a queue
    callback's first attempt is the router's own dial) from its attempt row."""
    parsed = parse_call_id(call_id)
    if parsed is not None or not call_id:
        return parsed
    at_t = OutboundAttempt.__table__
    row = (
        await conn.execute(select(at_t.c.task_id, at_t.c.attempt).where(at_t.c.call_id == call_id))
    ).first()
    return (row[0], row[1]) if row is not None else None


async def task_of_call(conn: AsyncConnection, call_id: str | None) -> tuple[str, int] | None:
    """(task id, attempt) behind a router call for the agent's card and form: the ``ob-`` id
    itself, else the queue callback whose current call it is (even before its dial started)."""
    parsed = parse_call_id(call_id)
    if parsed is not None or not call_id:
        return parsed
    t = OutboundTask.__table__
    row = (
        await conn.execute(
            select(t.c.task_id, t.c.attempts).where(
                and_(t.c.call_id == call_id, _queue_callback_rows(t))
            )
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def _queue_callback_rows(t: Any) -> Any:
    """SQL condition: tasks that mirror a callback asked for in line (``is_queue_callback``)."""
    return and_(t.c.source == QUEUE_SOURCE, t.c.kind == "callback")


def _insert(conn: AsyncConnection, table: Any) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


async def _insert_once(conn: AsyncConnection, task: dict[str, Any]) -> bool:
    """Insert a task unless one exists for its (source, source id, kind); True when inserted."""
    stmt = (
        _insert(conn, OutboundTask.__table__)
        .on_conflict_do_nothing(index_elements=["source", "source_id", "kind"])
        .returning(OutboundTask.__table__.c.task_id)
    )
    return bool((await conn.execute(stmt, [task])).scalars().all())


async def create_task(
    conn: AsyncConnection,
    *,
    kind: str,
    customer_id: str | None,
    source: str,
    source_id: str,
    trigger_at: datetime,
    now: datetime,
    config: OutboundConfig,
    due_at: datetime | None = None,
    number: str | None = None,
    note: str | None = None,
) -> tuple[str | None, list[DomainEvent]]:
    """Create a return visit (placed by the rules) or a callback (``due_at`` agreed), once per
    source. Returns (task id or None when none may be created, events written).

    A callback to a ``number`` needs no customer (``customer_id`` None: a caller not on file)."""
    if customer_id is None:
        if kind != "callback" or not number:
            raise FormError("customer_id", None, N_("required unless a callback to a number"))
        customer: dict[str, Any] = {"phones": (number,)}
    else:
        found = await customer_contact(conn, customer_id)
        if found is None:
            raise TaskNotFoundError(f"customer {customer_id}")
        customer = found
    deadline: datetime | None = None
    if kind == "return_visit":
        placed = place_return_visit(
            trigger_at,
            calling_window(customer, config),
            do_not_call=bool(customer.get("do_not_call")),
            window_s=config.window_s,
            delay_s=config.delay_s,
            not_before=now,
        )
        if placed is None:
            log.info(
                "no return visit for customer %s (%s %s): do not call",
                customer_id,
                source,
                source_id,
            )
            return None, []
        due_at, deadline = placed.due_at, placed.deadline_at
    elif due_at is None:
        raise FormError("due_at", None, N_("a callback needs the agreed time"))
    number = number or (customer["phones"][0] if customer["phones"] else None)
    if not number:
        raise FormError(
            "number",
            None,
            N_("customer %(customer_id)s has no phone number"),
            {"customer_id": customer_id},
        )
    task_id = task_id_for(kind, source, source_id)
    task = {
        "task_id": task_id,
        "kind": kind,
        "customer_id": customer_id,
        "number": number,
        "source": source,
        "source_id": source_id,
        "queue_id": config.queue_id,
        "tier": customer.get("tier") or "ordinary",
        "trigger_at": trigger_at,
        "due_at": due_at,
        "deadline_at": deadline,
        "status": "scheduled",
        "attempts": 0,
        "max_attempts": config.max_attempts,
        "note": note,
        "created_at": now,
        "updated_at": now,
    }
    if not await _insert_once(conn, task):
        return task_id, []  # this source already has its task
    events = [scheduled_event(task, now, "created")]
    await write_events(conn, events)
    return task_id, events


async def record_sale(
    engine: AsyncEngine,
    *,
    sale_id: str,
    customer_id: str,
    sold_at: datetime,
    now: datetime,
    config: OutboundConfig,
    product: str | None = None,
    amount: float | None = None,
    agent_id: str | None = None,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> str | None:
    """Record a sale (idempotent on ``sale_id``) and create its return visit."""
    async with engine.begin() as conn:
        await conn.execute(
            _insert(conn, Sale.__table__).on_conflict_do_nothing(index_elements=["sale_id"]),
            [
                {
                    "sale_id": sale_id,
                    "customer_id": customer_id,
                    "sold_at": sold_at,
                    "product": product,
                    "amount": amount,
                    "agent_id": agent_id,
                    "created_at": now,
                }
            ],
        )
        task_id, events = await create_task(
            conn,
            kind="return_visit",
            customer_id=customer_id,
            source="sale",
            source_id=sale_id,
            trigger_at=sold_at,
            now=now,
            config=config,
        )
    await publish(redis, prefix, events)
    return task_id


async def request_callback(
    engine: AsyncEngine,
    *,
    customer_id: str | None,
    due_at: datetime,
    now: datetime,
    config: OutboundConfig,
    source: str = "manual",
    source_id: str | None = None,
    number: str | None = None,
    note: str | None = None,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> str:
    """A callback at the time agreed with the customer (asked for on a call, or by hand); to
    ``number`` without a customer record when ``customer_id`` is None."""
    source_id = source_id or f"{customer_id or number}@{due_at.astimezone(UTC).isoformat()}"
    async with engine.begin() as conn:
        task_id, events = await create_task(
            conn,
            kind="callback",
            customer_id=customer_id,
            source=source,
            source_id=source_id,
            trigger_at=now,
            now=now,
            config=config,
            due_at=due_at,
            number=number,
            note=note,
        )
    await publish(redis, prefix, events)
    assert task_id is not None
    return task_id


async def mirror_queue_callback(
    conn: AsyncConnection,
    *,
    call_id: str,
    dial_call_id: str,
    number: str,
    queue_id: str,
    requested_at: datetime,
    config: OutboundConfig,
    customer_id: str | None = None,
    tier: str | None = None,
) -> list[DomainEvent]:
    """The task of a callback asked for on ``call_id`` while waiting in line (the router's
    ``callback`` action, event ``outbound.scheduled`` kind ``callback_in_queue``), created once
    per caller's call (its source).

    The router itself dials it when it reaches the front, as a call of its own,
    ``dial_call_id`` (it took the caller's place in line): so the task is born ``queued`` with
    attempt 1 whose router call is ``dial_call_id``. Its attempt row is only written when that
    dial starts (``start_queue_callback_attempt``). Later attempts are ordinary ones
    (``ob-<task>-<n>`` in ``queue_id``). Returns the events written (none when it existed)."""
    customer = await customer_contact(conn, customer_id) if customer_id else None
    task = {
        "task_id": task_id_for("callback", QUEUE_SOURCE, call_id),
        "kind": "callback",
        "customer_id": customer_id if customer is not None else None,
        "number": number,
        "source": QUEUE_SOURCE,
        "source_id": call_id,
        "queue_id": queue_id,
        "tier": (customer or {}).get("tier") or (tier if tier in TIERS else "ordinary"),
        "trigger_at": requested_at,
        "due_at": requested_at,
        "deadline_at": None,
        "status": "queued",
        "attempts": 1,
        "max_attempts": config.max_attempts,
        "call_id": dial_call_id,
        "note": None,
        "created_at": requested_at,
        "updated_at": requested_at,
    }
    if not await _insert_once(conn, task):
        return []  # a replay: this call already has its task
    events = [scheduled_event({**task, "attempts": 0}, requested_at, "callback_in_queue")]
    await write_events(conn, events)
    return events


async def start_queue_callback_attempt(conn: AsyncConnection, call_id: str, at: datetime) -> bool:
    """The router's dial of a queue callback started (telephony reports the originated call, its
    answer or its failure): its attempt row is written (once). True when the call is the current
    attempt of a queued queue callback."""
    t, at_t = OutboundTask.__table__, OutboundAttempt.__table__
    task = (
        (
            await conn.execute(
                select(t.c.task_id, t.c.attempts).where(
                    and_(t.c.call_id == call_id, t.c.status == "queued", _queue_callback_rows(t))
                )
            )
        )
        .mappings()
        .first()
    )
    if task is None:
        return False
    await conn.execute(
        _insert(conn, at_t).on_conflict_do_nothing(index_elements=["call_id"]),
        [
            {
                "call_id": call_id,
                "task_id": task["task_id"],
                "attempt": task["attempts"],
                "queued_at": at,
            }
        ],
    )
    return True


async def queue_callback_calls(conn: AsyncConnection, call_ids: Sequence[str]) -> set[str]:
    """Which of these (non ``ob-``) call ids are the current router call of a queue callback."""
    if not call_ids:
        return set()
    t = OutboundTask.__table__
    res = await conn.execute(
        select(t.c.call_id).where(
            and_(t.c.call_id.in_(sorted(set(call_ids))), _queue_callback_rows(t))
        )
    )
    return set(res.scalars())


# --- attempts ----------------------------------------------------------------------------------


async def claim_due(conn: AsyncConnection, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Move due scheduled tasks to ``queued`` with a new attempt (compare-and-set per task, so a
    task is claimed by one scheduler once). Returns the claimed tasks with their ``call_id``."""
    t, at = OutboundTask.__table__, OutboundAttempt.__table__
    rows = (
        (
            await conn.execute(
                select(t)
                .where(and_(t.c.status == "scheduled", t.c.due_at <= now))
                .order_by(t.c.due_at)
                .limit(limit)
            )
        )
        .mappings()
        .all()
    )
    claimed = []
    for row in rows:
        attempt = row["attempts"] + 1
        call_id = call_id_for(row["task_id"], attempt)
        res = await conn.execute(
            update(t)
            .where(
                and_(
                    t.c.task_id == row["task_id"],
                    t.c.status == "scheduled",
                    t.c.attempts == row["attempts"],
                )
            )
            .values(status="queued", attempts=attempt, call_id=call_id, updated_at=now)
        )
        if res.rowcount != 1:
            continue
        await conn.execute(
            insert(at).values(
                call_id=call_id, task_id=row["task_id"], attempt=attempt, queued_at=now
            )
        )
        claimed.append({**row, "status": "queued", "attempts": attempt, "call_id": call_id})
    return claimed


async def queued_tasks(conn: AsyncConnection) -> list[dict[str, Any]]:
    t = OutboundTask.__table__
    res = await conn.execute(select(t).where(t.c.status == "queued"))
    return [dict(r) for r in res.mappings()]


async def attempt_answered(
    conn: AsyncConnection, call_id: str, agent_id: str | None, at: datetime
) -> list[DomainEvent]:
    """The customer and the agent are talking: the attempt reached the customer."""
    parsed = await attempt_of_call(conn, call_id)
    if parsed is None:
        return []
    t, at_t = OutboundTask.__table__, OutboundAttempt.__table__
    res = await conn.execute(
        update(at_t)
        .where(and_(at_t.c.call_id == call_id, at_t.c.outcome.is_(None)))
        .values(outcome="reached", answered_at=at, agent_id=agent_id)
    )
    if res.rowcount != 1:
        return []
    task_id, attempt = parsed
    await conn.execute(
        update(t)
        .where(and_(t.c.task_id == task_id, t.c.call_id == call_id, t.c.status == "queued"))
        .values(status="connected", agent_id=agent_id, last_outcome="reached", updated_at=at)
    )
    return [outcome_event(task_id, attempt, call_id, "reached", at, agent_id=agent_id, final=False)]


async def attempt_failed(
    conn: AsyncConnection,
    call_id: str,
    outcome: str,
    at: datetime,
    config: OutboundConfig,
    *,
    agent_id: str | None = None,
    retry_from: datetime | None = None,
) -> list[DomainEvent]:
    """The attempt ended without reaching the customer: retry later or end the task.

    ``at`` is when it ended (telephony's time); the retry delay counts from ``retry_from``
    (the scheduler's clock, when it learnt of it; default ``at``)."""
    parsed = await attempt_of_call(conn, call_id)
    if parsed is None:
        return []
    task_id, attempt = parsed
    t, at_t = OutboundTask.__table__, OutboundAttempt.__table__
    res = await conn.execute(
        update(at_t)
        .where(and_(at_t.c.call_id == call_id, at_t.c.outcome.is_(None)))
        .values(outcome=outcome, ended_at=at, agent_id=agent_id)
    )
    if res.rowcount != 1:
        return []
    task = (await conn.execute(select(t).where(t.c.task_id == task_id))).mappings().first()
    if task is None or task["call_id"] != call_id or task["status"] != "queued":
        return []
    window = None
    if task["kind"] == "return_visit" and task["customer_id"]:
        customer = await customer_contact(conn, task["customer_id"])
        if customer is not None:
            if customer.get("do_not_call"):
                final = AttemptResult(outcome, None)
                return await _finish(
                    conn, dict(task), attempt, call_id, outcome, final, at, agent_id
                )
            window = calling_window(customer, config)
    elif is_queue_callback(dict(task)):
        # no time was agreed in line: the retry goes inside the customer's (or default) hours
        customer = None
        if task["customer_id"]:
            customer = await customer_contact(conn, task["customer_id"])
        window = calling_window(customer or {}, config)
    result = after_attempt(
        outcome,
        attempts=task["attempts"],
        max_attempts=task["max_attempts"],
        ended_at=retry_from or at,
        window=window,
        retry_delay_s=config.retry_delay_s,
    )
    return await _finish(conn, dict(task), attempt, call_id, outcome, result, at, agent_id)


async def attempt_ended(
    conn: AsyncConnection,
    call_id: str,
    at: datetime,
    config: OutboundConfig,
    *,
    retry_from: datetime | None = None,
) -> list[DomainEvent]:
    """The attempt's call ended: a reached task is done (the agent's form may still amend it,
    ``record_outcome``); one that never got an agent talking counts as not answered."""
    t, at_t = OutboundTask.__table__, OutboundAttempt.__table__
    row = (await conn.execute(select(at_t).where(at_t.c.call_id == call_id))).mappings().first()
    if row is None:
        return []  # not an attempt, or a queue callback whose dial has not started
    task_id, attempt = row["task_id"], row["attempt"]
    if row["outcome"] is None:
        return await attempt_failed(conn, call_id, "no_answer", at, config, retry_from=retry_from)
    await conn.execute(
        update(at_t)
        .where(and_(at_t.c.call_id == call_id, at_t.c.ended_at.is_(None)))
        .values(ended_at=at)
    )
    if row["outcome"] != "reached":
        return []
    res = await conn.execute(
        update(t)
        .where(and_(t.c.task_id == task_id, t.c.call_id == call_id, t.c.status == "connected"))
        .values(status="done", outcome="reached", done_at=at, updated_at=at)
    )
    if res.rowcount != 1:
        return []
    events = [
        outcome_event(
            task_id, attempt, call_id, "reached", at, agent_id=row["agent_id"], final=True
        )
    ]
    await write_events(conn, events)
    return events


async def _finish(
    conn: AsyncConnection,
    task: dict[str, Any],
    attempt: int,
    call_id: str,
    attempt_outcome: str,
    result: AttemptResult,
    at: datetime,
    agent_id: str | None,
) -> list[DomainEvent]:
    t = OutboundTask.__table__
    events = []
    if result.retry_at is not None:
        await conn.execute(
            update(t)
            .where(and_(t.c.task_id == task["task_id"], t.c.call_id == call_id))
            .values(
                status="scheduled",
                due_at=result.retry_at,
                call_id=None,
                updated_at=at,
                last_outcome=attempt_outcome,
            )
        )
        events.append(
            outcome_event(
                task["task_id"],
                attempt,
                call_id,
                attempt_outcome,
                at,
                agent_id=agent_id,
                final=False,
                retry_at=result.retry_at,
            )
        )
        task = {**task, "due_at": result.retry_at}
        events.append(scheduled_event(task, at, "retry"))
    else:
        outcome = result.final_outcome or attempt_outcome
        await conn.execute(
            update(t)
            .where(and_(t.c.task_id == task["task_id"], t.c.call_id == call_id))
            .values(status="done", outcome=outcome, last_outcome=outcome, done_at=at, updated_at=at)
        )
        events.append(
            outcome_event(
                task["task_id"], attempt, call_id, outcome, at, agent_id=agent_id, final=True
            )
        )
    await write_events(conn, events)
    return events


async def record_outcome(
    engine: AsyncEngine,
    task_id: str,
    *,
    outcome: str,
    now: datetime,
    agent_id: str | None = None,
    satisfied: bool | None = None,
    score: int | None = None,
    comment: str | None = None,
    call_id: str | None = None,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> None:
    """The agent's wrap-up of a reached task: the outcome (reached, wrong_number, refused) and,
    when reached, the return-visit form (satisfied yes/no, score 1-5, comment). Ends the task.
    ``call_id`` (from a call's wrap-up): refused unless it is the task's current attempt."""
    answers = form_answers(outcome, satisfied=satisfied, score=score, comment=comment)
    t = OutboundTask.__table__
    async with engine.begin() as conn:
        task = (await conn.execute(select(t).where(t.c.task_id == task_id))).mappings().first()
        if task is None:
            raise TaskNotFoundError(task_id)
        if call_id is not None and task["call_id"] != call_id:
            raise FormError("call_id", call_id, N_("not the task's current attempt"))
        amend = task["status"] == "done" and task["outcome"] in AFTER_TALKING
        if task["status"] not in ("connected", "queued") and not amend:
            raise FormError(
                "task_id",
                task_id,
                N_("task is %(status)s, not reached"),
                {"status": task["status"]},
            )
        if task["status"] == "queued" and router_dialled(dict(task)):
            # the form came before the scheduler saw the dial start: its attempt row, now
            await start_queue_callback_attempt(conn, task["call_id"], now)
        await conn.execute(
            update(t)
            .where(t.c.task_id == task_id)
            .values(
                status="done",
                outcome=outcome,
                last_outcome=outcome,
                answers=answers,
                done_at=task["done_at"] or now,
                updated_at=now,
                agent_id=agent_id or task["agent_id"],
            )
        )
        at_t = OutboundAttempt.__table__
        if task["call_id"]:
            await conn.execute(
                update(at_t).where(at_t.c.call_id == task["call_id"]).values(outcome=outcome)
            )
        form_event = outcome_event(
            task_id,
            task["attempts"],
            task["call_id"] or task_id,
            outcome,
            now,
            agent_id=agent_id or task["agent_id"],
            final=True,
            answers=answers,
        )
        events = [replace(form_event, id=make_event_id(task_id, "form", task["attempts"], outcome))]
        await write_events(conn, events)
    await publish(redis, prefix, events)


async def list_tasks(
    engine: AsyncEngine, *, statuses: Sequence[str] | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    t = OutboundTask.__table__
    q = select(t).order_by(t.c.due_at).limit(limit)
    if statuses:
        q = q.where(t.c.status.in_(list(statuses)))
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(q)).mappings()]


async def import_sales_csv(
    engine: AsyncEngine,
    data: str,
    *,
    now: datetime,
    config: OutboundConfig,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> SalesImport:
    """Import the good rows of a sales CSV in one transaction (each sale gets its return visit);
    rows with a bad field or an unknown customer are reported by line and column."""
    good, errors, lines = parse_sales_csv(data)
    bad = list(zip(lines, errors, strict=True))
    events: list[DomainEvent] = []
    imported = visits = 0
    async with engine.begin() as conn:
        ct = Customer.__table__
        ids = sorted({r["customer_id"] for _, r in good})
        known = set(
            (
                await conn.execute(select(ct.c.customer_id).where(ct.c.customer_id.in_(ids)))
            ).scalars()
        )
        for line, r in good:
            if r["customer_id"] not in known:
                bad.append((line, FormError("customer_id", r["customer_id"], "unknown customer")))
                continue
            res = await conn.execute(
                _insert(conn, Sale.__table__)
                .values(**r, created_at=now)
                .on_conflict_do_nothing(index_elements=["sale_id"])
            )
            imported += res.rowcount or 0
            task_id, task_events = await create_task(
                conn,
                kind="return_visit",
                customer_id=r["customer_id"],
                source="sale",
                source_id=r["sale_id"],
                trigger_at=r["sold_at"],
                now=now,
                config=config,
            )
            visits += len(task_events)
            events += task_events
    await publish(redis, prefix, events)
    return SalesImport(
        imported=imported, return_visits=visits, errors=tuple(sorted(bad, key=lambda b: b[0]))
    )
