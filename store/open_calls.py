"""Reads of the ``calls`` read model for the bridge's reconcile at a login: the calls the store
still has open, and which of some calls it has ended."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.events import utc
from store.models.core import Call


@dataclass(frozen=True, slots=True)
class OpenCall:
    call_id: str
    direction: str
    queue_id: str | None
    agent_id: str | None
    answered: bool
    arrived_at: datetime | None


async def open_calls(engine: AsyncEngine, since_at: datetime) -> list[OpenCall]:
    """Calls that arrived since ``since_at`` (the index on ``arrived_at`` bounds the read) and
    have no end."""
    t = Call.__table__
    stmt = select(
        t.c.call_id, t.c.direction, t.c.queue_id, t.c.agent_id, t.c.answered_at, t.c.arrived_at
    ).where(t.c.arrived_at >= since_at, t.c.ended_at.is_(None))
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [
        OpenCall(
            call_id=r.call_id,
            direction=r.direction,
            queue_id=r.queue_id,
            agent_id=r.agent_id,
            answered=r.answered_at is not None,
            arrived_at=utc(r.arrived_at) if r.arrived_at else None,
        )
        for r in rows
    ]


async def ended_calls(engine: AsyncEngine, call_ids: Iterable[str]) -> set[str]:
    """Those of ``call_ids`` the store has ended."""
    ids = sorted(set(call_ids))
    t = Call.__table__
    out: set[str] = set()
    async with engine.connect() as conn:
        for i in range(0, len(ids), 500):
            stmt = select(t.c.call_id).where(
                t.c.call_id.in_(ids[i : i + 500]), t.c.ended_at.is_not(None)
            )
            out.update((await conn.execute(stmt)).scalars().all())
    return out
