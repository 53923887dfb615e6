"""Store reads for the pages: the customer card, an agent's figures for today.

The card comes from the customers service (``customers.records_store.get_customer``), which masks per
the viewer's role and writes the audit row for any unmasked read; a caller who is no known
customer shows only the masked number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints.lifecycle import ACTIVE
from customers.masking import Viewer, mask_phone
from customers.records_store import get_customer
from outbound.tasks import QUEUE_SOURCE
from outbound.tasks_store import task_of_call
from store.models.core import Call
from store.models.customers import Complaint, OutboundTask, Sale
from store.models.qa import QaEvaluation
from store.models.workforce import Roster, Shift
from web.agent.schemas import AgentFigures, CallSummary, CustomerCard, ShiftOut, TaskCard

LAST_CALLS = 5


async def customer_card(
    engine: AsyncEngine,
    customer_id: str | None,
    tier: str | None,
    caller: str | None,
    *,
    viewer: Viewer,
    reason: str,
    now: datetime,
    call_id: str | None = None,
) -> CustomerCard:
    """The card of the customer on a call, as ``viewer`` may see it (audited when unmasked);
    ``call_id`` (the call on screen) is left out of the last calls."""
    view = None
    if customer_id:
        view = await get_customer(engine, customer_id, viewer, reason=reason, now=now)
    if view is None:
        return CustomerCard(
            customer_id=None,
            name=None,
            tier=tier or "ordinary",
            phone_masked=mask_phone(caller) if caller else None,
        )
    c, k = Call.__table__, Complaint.__table__
    async with engine.connect() as conn:
        open_complaints = (
            await conn.execute(
                select(func.count()).where(
                    k.c.customer_id == view.customer_id, k.c.status.in_(ACTIVE)
                )
            )
        ).scalar_one()
        rows = (
            (
                await conn.execute(
                    select(
                        c.c.call_id,
                        c.c.arrived_at,
                        c.c.queue_id,
                        c.c.direction,
                        c.c.talk_s,
                        c.c.outcome,
                        c.c.disposition,
                    )
                    .where(c.c.customer_id == view.customer_id, c.c.call_id != (call_id or ""))
                    .order_by(c.c.arrived_at.desc())
                    .limit(LAST_CALLS)
                )
            )
            .mappings()
            .all()
        )
    phone = view.phones[0] if view.phones else None
    return CustomerCard(
        customer_id=view.customer_id,
        name=view.name,
        tier=view.tier,
        # the card is a screen pop: even roles allowed the number see it masked here
        phone_masked=mask_phone(phone) if phone and "phone" in view.unmasked else phone,
        open_complaints=int(open_complaints),
        last_calls=[CallSummary(**r) for r in rows],
    )


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tz).astimezone(UTC)


async def agent_today(
    engine: AsyncEngine, agent_id: str, now: datetime, tz: ZoneInfo
) -> AgentFigures:
    c = Call.__table__
    start = day_start(now, tz)
    handle = c.c.talk_s + func.coalesce(c.c.hold_s, 0) + func.coalesce(c.c.wrap_s, 0)
    stmt = select(func.count(), func.avg(handle)).where(
        and_(
            c.c.agent_id == agent_id,
            c.c.answered_at >= start,
            c.c.answered_at < start + timedelta(days=1),
        )
    )
    e = QaEvaluation.__table__
    latest_qa = (
        select(e.c.score)
        .where(e.c.agent_id == agent_id, e.c.score.is_not(None))
        .order_by(e.c.created_at.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        count, avg = (await conn.execute(stmt)).one()
        qa = (await conn.execute(latest_qa)).scalar_one_or_none()
    return AgentFigures(
        qa_score=round(float(qa), 1) if qa is not None else None,
        calls=int(count or 0),
        average_handle_s=round(float(avg), 1) if avg is not None else None,
    )


async def week_shifts(
    engine: AsyncEngine, agent_id: str, now: datetime, tz: ZoneInfo
) -> list[ShiftOut]:
    """The agent's shifts and breaks this week (Monday on) from published rosters."""
    start = day_start(now, tz) - timedelta(days=now.astimezone(tz).weekday())
    sh, ro = Shift.__table__, Roster.__table__
    stmt = (
        select(sh.c.activity, sh.c.start_at, sh.c.end_at)
        .join(ro, ro.c.roster_id == sh.c.roster_id)
        .where(
            ro.c.published.is_(True),
            sh.c.agent_id == agent_id,
            sh.c.start_at >= start,
            sh.c.start_at < start + timedelta(days=7),
        )
        .order_by(sh.c.start_at)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).mappings().all()
    return [ShiftOut(**r) for r in rows]


async def caller_of(engine: AsyncEngine, call_id: str) -> tuple[str | None, str | None]:
    """(caller number, direction) from the calls read model, when the store has the call."""
    c = Call.__table__
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(c.c.caller, c.c.direction).where(c.c.call_id == call_id))
        ).first()
    return (row[0], row[1]) if row else (None, None)


async def task_card(
    engine: AsyncEngine, call_id: str, queue_names: Mapping[str, str | None] | None = None
) -> TaskCard | None:
    """The outbound task behind a router call ``ob-<task>-<attempt>`` or a queue callback's
    first dial (None for other calls):
    what the agent needs before the customer picks up (preview). ``queue_names`` (queue id ->
    name, from the settings) names the queue a callback in queue was asked for in."""
    t = OutboundTask.__table__
    async with engine.connect() as conn:
        parsed = await task_of_call(conn, call_id)  # a queue callback's dial: the router's id
        if parsed is None:
            return None
        task_id, attempt = parsed
        task = (await conn.execute(select(t).where(t.c.task_id == task_id))).mappings().first()
        if task is None:
            return None
        reason = await _task_reason(conn, task, queue_names or {})
    return TaskCard(
        task_id=task_id,
        kind=task["kind"],
        reason=reason,
        attempt=attempt,
        max_attempts=task["max_attempts"],
        due_at=task["due_at"],
        note=task["note"],
    )


async def _task_reason(conn: Any, task: Any, queue_names: Mapping[str, str | None]) -> str:
    source, source_id = task["source"], task["source_id"]
    if source == QUEUE_SOURCE:
        queue_id = task["queue_id"]
        where = (queue_names.get(queue_id) or queue_id) if queue_id else "the queue"
        return f"Asked to be called back while waiting in {where}"
    if source == "sale":
        sale = (
            (await conn.execute(select(Sale.__table__).where(Sale.sale_id == source_id)))
            .mappings()
            .first()
        )
        if sale is not None:
            what = sale["product"] or f"sale {source_id}"
            return f"After the sale of {what} on {sale['sold_at']:%Y-%m-%d}"
        return f"After sale {source_id}"
    if source == "complaint":
        c = (
            (
                await conn.execute(
                    select(Complaint.__table__).where(Complaint.complaint_id == source_id)
                )
            )
            .mappings()
            .first()
        )
        what = f"{c['category'].replace('_', ' ')} complaint" if c is not None else "complaint"
        return f"After the {what} {source_id} was resolved"
    if source == "call":
        return f"Asked for on call {source_id}"
    return "Scheduled by hand"
