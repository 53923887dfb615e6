"""Small readers over the store shared by the pages (interval figures are ``reports``').

``agent_names`` is the agents' directory the planner and the complaint desk both show;
``call_parties`` says who was on one call (the agent pages' checks and cards).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.models.core import Agent, Call


async def agent_names(engine: AsyncEngine, *, active_only: bool = False) -> dict[str, str]:
    """Agent id -> name, by agent id; only the agents still active when ``active_only``."""
    stmt = select(Agent.agent_id, Agent.name).order_by(Agent.agent_id)
    if active_only:
        stmt = stmt.where(Agent.active.is_(True))
    async with engine.connect() as conn:
        return {r.agent_id: r.name for r in await conn.execute(stmt)}


@dataclass(frozen=True, slots=True)
class CallParties:
    agent_id: str | None
    customer_id: str | None
    caller: str | None
    direction: str | None


async def call_parties(engine: AsyncEngine, call_id: str) -> CallParties | None:
    """Who was on the call according to the ``calls`` read model; None before the store has it."""
    c = Call.__table__
    stmt = select(c.c.agent_id, c.c.customer_id, c.c.caller, c.c.direction).where(
        c.c.call_id == call_id
    )
    async with engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return CallParties(*row) if row else None
