"""What an agent reads before the customer picks up an outbound call: the task behind a router
call ``ob-<task>-<attempt>`` or a queue callback's first dial, which attempt it is, and why the
customer is called (the sale, complaint, call or queue it follows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from outbound.tasks import QUEUE_SOURCE
from outbound.tasks_store import task_of_call
from store.models.customers import Complaint, OutboundTask, Sale


@dataclass(frozen=True, slots=True)
class TaskPreview:
    task_id: str
    kind: str
    reason: str
    attempt: int
    max_attempts: int
    due_at: datetime
    note: str | None


async def task_preview(
    engine: AsyncEngine, call_id: str, queue_names: Mapping[str, str | None] | None = None
) -> TaskPreview | None:
    """The task behind ``call_id`` (None for other calls); ``queue_names`` (queue id -> name,
    from the settings) names the queue a callback in queue was asked for in."""
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
    return TaskPreview(
        task_id=task_id,
        kind=task["kind"],
        reason=reason,
        attempt=attempt,
        max_attempts=task["max_attempts"],
        due_at=task["due_at"],
        note=task["note"],
    )


async def _task_reason(
    conn: AsyncConnection, task: RowMapping, queue_names: Mapping[str, str | None]
) -> str:
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
