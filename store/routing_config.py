"""The routing configuration as the store holds it: queues (with every queue setting) and agents
(name, team, endpoint, skill levels).

The store is authoritative once seeded (``store.seed``): the administration pages edit these
tables, and the router and the web read them back through ``load_routing_config`` rather than the
settings file. A store with no queue yet (never seeded) gives ``None``: the file's values apply.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel.settings import AgentConfig, QueueConfig, Settings
from store.models.core import Agent, AgentSkill, Queue


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    queues: list[QueueConfig]
    agents: list[AgentConfig]

    def applied_to(self, settings: Settings) -> Settings:
        """``settings`` with the store's queues and agents in place of the file's."""
        return settings.model_copy(update={"queues": self.queues, "agents": self.agents})


def queue_config(row: Mapping[Any, Any]) -> QueueConfig:
    """A queue row as a ``QueueConfig``: the ``settings`` JSON with the row's own columns over it
    (name, required skills, priority, SL target)."""
    data = dict(row["settings"] or {})
    data.update(
        id=row["queue_id"],
        name=row["name"],
        skills=row["required_skills"] or {},
        priority=row["priority"],
        sl_target_pct=row["sl_target_pct"],
        sl_target_s=row["sl_target_s"],
    )
    return QueueConfig.model_validate(data)


async def agent_levels(conn: AsyncConnection) -> dict[str, dict[str, int]]:
    """Every agent's skill levels, in skill order."""
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    t = AgentSkill.__table__
    rows = select(t.c.agent_id, t.c.skill_id, t.c.level).order_by(t.c.agent_id, t.c.skill_id)
    for agent_id, skill_id, level in await conn.execute(rows):
        levels[agent_id][skill_id] = level
    return levels


def agent_config(
    row: Mapping[Any, Any], skills: dict[str, int], configured: AgentConfig | None
) -> AgentConfig:
    """An agent row as an ``AgentConfig``; the phone kind, which the store does not hold, is the
    settings file's."""
    return AgentConfig(
        id=str(row["agent_id"]),
        name=str(row["name"]),
        endpoint=str(row["endpoint"]) or None,
        team=row["team"] or None,
        skills=skills,
        phone=configured.phone if configured else "device",
    )


async def load_routing_config(engine: AsyncEngine, settings: Settings) -> RoutingConfig | None:
    """The store's queues and active agents, or None when no queue was ever seeded. Those the
    settings file has come in its order (the wallboard's), the others after them by id."""
    by_id = {a.id: a for a in settings.agents}
    async with engine.connect() as conn:
        queues = (await conn.execute(select(Queue.__table__).order_by(Queue.queue_id))).mappings()
        queue_rows = [dict(r) for r in queues]
        if not queue_rows:
            return None
        levels = await agent_levels(conn)
        agent_rows = (
            await conn.execute(
                select(Agent.__table__).where(Agent.active.is_(True)).order_by(Agent.agent_id)
            )
        ).mappings()
        agents = [
            agent_config(dict(r), levels.get(r["agent_id"], {}), by_id.get(r["agent_id"]))
            for r in agent_rows
        ]
    queue_order = {q.id: i for i, q in enumerate(settings.queues)}
    agent_order = {a.id: i for i, a in enumerate(settings.agents)}
    return RoutingConfig(
        sorted((queue_config(r) for r in queue_rows), key=lambda q: queue_order.get(q.id, 1 << 30)),
        sorted(agents, key=lambda a: agent_order.get(a.id, 1 << 30)),
    )


def store_loader(
    engine: AsyncEngine, settings: Settings
) -> Callable[[], Awaitable[RoutingConfig | None]]:
    """``load_routing_config`` bound to a store, as ``queueing.routing.Routing`` takes it."""
    return functools.partial(load_routing_config, engine, settings)
