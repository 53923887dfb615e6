"""What an agent reads before the customer picks up an outbound call: the task behind a router
call ``ob-<task>-<attempt>`` or a queue callback's first dial, which attempt it is, and why the
customer is called (the sale, complaint, call or queue it follows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from outbound.tasks import QUEUE_SOURCE
from outbound.tasks_store import task_of_call
from store.models.customers import OutboundTask, Sale


@dataclass(frozen=True, slots=True)
class TaskPreview:
    task_id: str
    kind: str
    reason_id: str  # queue | sale_of | sale | complaint | call | by_hand
    reason_params: dict[str, Any]
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
        reason_id, reason_params = await _task_reason(conn, task, queue_names or {})
    return TaskPreview(
        task_id=task_id,
        kind=task["kind"],
        reason_id=reason_id,
        reason_params=reason_params,
        attempt=attempt,
        max_attempts=task["max_attempts"],
        due_at=task["due_at"],
        note=task["note"],
    )


async def _task_reason(
    conn: AsyncConnection, task: RowMapping, queue_names: Mapping[str, str | None]
) -> tuple[str, dict[str, Any]]:
    """Why the customer is called: a reason id (``web.agent.task_reasons`` words it in the
    agent's language) and its values."""
    source, source_id = task["source"], task["source_id"]
    if source == QUEUE_SOURCE:
        queue_id = task["queue_id"]
        return "queue", {"queue": (queue_names.get(queue_id) or queue_id) if queue_id else None}
    if source == "sale":
        sale = (
            (await conn.execute(select(Sale.__table__).where(Sale.sale_id == source_id)))
            .mappings()
            .first()
        )
        if sale is None:
            return "sale", {"id": source_id}
        return "sale_of", {"product": sale["product"], "id": source_id, "sold_at": sale["sold_at"]}
    if source == "complaint":
        return "complaint", {"id": source_id}
    if source == "call":
        return "call", {"id": source_id}
    return "by_hand", {}
