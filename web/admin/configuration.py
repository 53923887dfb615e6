"""The routing configuration's administration: agents (name, team, endpoint, skill levels), queues
(every queue setting) and teams, read from and written to the store.

Each change is written with its audit row in one transaction (``customers.audit.record_change``):
who, when, the fields changed, and their values before and after (the row's ``reason``, as JSON).
A queue change is checked against every other queue as the router would build them
(``queueing.rules.build_plans``), so the store never holds a configuration the router refuses.
Publishing the change to the running routers is the caller's (``web.admin.http``): after commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.audit import record_change
from kernel.settings import AgentConfig, QueueConfig
from queueing.errors import RoutingConfigError
from queueing.rules import build_plans
from store.models.core import Agent, AgentSkill, Queue, Skill
from store.models.customers import AuditEntry
from store.routing_config import agent_config, agent_levels, queue_config
from web.errors import ConflictError, NotFoundError, ValidationError, invalid
from web.i18n.catalog import N_
from web.users.accounts import Actor


async def list_agents(engine: AsyncEngine) -> list[tuple[AgentConfig, bool]]:
    """Every agent of the store with whether it is active."""
    async with engine.connect() as conn:
        levels = await agent_levels(conn)
        rows = (await conn.execute(select(Agent.__table__).order_by(Agent.agent_id))).mappings()
        return [(agent_config(r, levels.get(r["agent_id"], {}), None), r["active"]) for r in rows]


async def list_queues(engine: AsyncEngine) -> list[QueueConfig]:
    async with engine.connect() as conn:
        return await _queues(conn)


async def list_teams(engine: AsyncEngine) -> dict[str, list[str]]:
    """Team -> its agents' ids (a team exists while it has agents)."""
    teams: dict[str, list[str]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Agent.team, Agent.agent_id)
            .where(Agent.team.is_not(None))
            .order_by(Agent.agent_id)
        )
        for team, agent_id in rows:
            teams.setdefault(str(team), []).append(agent_id)
    return dict(sorted(teams.items()))


async def save_agent(
    engine: AsyncEngine,
    by: Actor,
    agent: AgentConfig,
    *,
    active: bool,
    new: bool,
    now: datetime,
) -> dict[str, Any]:
    """Add (``new``) or change an agent with its skill levels; returns the fields changed with
    their values after. A skill the store does not know yet is added."""
    after = _agent_values(agent, active)
    async with engine.begin() as conn:
        found = (
            (await conn.execute(select(Agent.__table__).where(Agent.agent_id == agent.id)))
            .mappings()
            .first()
        )
        if new and found is not None:
            raise ConflictError(
                N_("agent %(agent_id)r already exists"),
                field="agent_id",
                params={"agent_id": agent.id},
            )
        if not new and found is None:
            raise NotFoundError(
                N_("no agent %(agent_id)r"), field="agent_id", params={"agent_id": agent.id}
            )
        before: dict[str, Any] = {}
        if found is not None:
            levels = (await agent_levels(conn)).get(agent.id, {})
            before = _agent_values(agent_config(found, levels, None), bool(found["active"]))
        changed = _changes(before, after)
        if not changed:
            return {}
        row = {k: after[k] for k in ("name", "team", "endpoint", "active")}
        if new:
            await conn.execute(Agent.__table__.insert().values(agent_id=agent.id, **row))
        else:
            await conn.execute(update(Agent).where(Agent.agent_id == agent.id).values(**row))
        if "skills" in changed:
            await _set_levels(conn, agent.id, agent.skills)
        await _audit(conn, by, "agent.add" if new else "agent.update", "agent", agent.id,
                     before, after, changed, now)  # fmt: skip
    return {k: after[k] for k in changed}


async def save_queue(
    engine: AsyncEngine, by: Actor, queue: QueueConfig, *, default_domain: str, now: datetime
) -> dict[str, Any]:
    """Change an existing queue's settings; returns the fields changed with their values after.
    422 naming the field when the router could not work with the queues as they would be."""
    async with engine.begin() as conn:
        queues = await _queues(conn)
        old = next((q for q in queues if q.id == queue.id), None)
        if old is None:
            raise NotFoundError(
                N_("no queue %(queue_id)r"), field="queue_id", params={"queue_id": queue.id}
            )
        _check_plans([queue if q.id == queue.id else q for q in queues], queue.id, default_domain)
        before, after = old.model_dump(mode="json"), queue.model_dump(mode="json")
        changed = _changes(before, after)
        if not changed:
            return {}
        await _add_skills(conn, set(queue.skills) | _extra_skills(queue))
        await conn.execute(
            update(Queue)
            .where(Queue.queue_id == queue.id)
            .values(
                name=queue.name or queue.id,
                required_skills=queue.skills,
                priority=queue.priority,
                sl_target_pct=queue.sl_target_pct,
                sl_target_s=queue.sl_target_s,
                settings=after,
            )
        )
        await _audit(conn, by, "queue.update", "queue", queue.id, before, after, changed, now)
    return {k: after[k] for k in changed}


async def save_team(
    engine: AsyncEngine, by: Actor, team: str, *, name: str, agent_ids: list[str], now: datetime
) -> dict[str, Any]:
    """Set a team's name and members: the listed agents are in team ``name``, the team's other
    agents leave it. A team with no agents left no longer exists."""
    async with engine.begin() as conn:
        known = set((await conn.execute(select(Agent.agent_id))).scalars())
        unknown = [a for a in agent_ids if a not in known]
        if unknown:
            raise ValidationError(
                [
                    {
                        "field": f"agents.{agent_ids.index(a)}",
                        "in": "body",
                        "message": N_("no agent %(agent_id)r"),
                    }
                    for a in unknown
                ],
                [{"agent_id": a} for a in unknown],
            )
        members = sorted(
            (await conn.execute(select(Agent.agent_id).where(Agent.team == team))).scalars()
        )
        before = {"name": team, "agents": members}
        after = {"name": name, "agents": sorted(set(agent_ids))}
        changed = _changes(before, after)
        if not changed:
            return {}
        leaving = [a for a in members if a not in after["agents"]]
        if leaving:
            await conn.execute(update(Agent).where(Agent.agent_id.in_(leaving)).values(team=None))
        if after["agents"]:
            await conn.execute(
                update(Agent).where(Agent.agent_id.in_(after["agents"])).values(team=name)
            )
        await _audit(conn, by, "team.update", "team", team, before, after, changed, now)
    return {k: after[k] for k in changed}


def _agent_values(agent: AgentConfig, active: bool) -> dict[str, Any]:
    return {
        "name": agent.name or agent.id,
        "team": agent.team or None,
        "endpoint": agent.dial_string,
        "skills": dict(sorted(agent.skills.items())),
        "active": active,
    }


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after[k])


def _extra_skills(queue: QueueConfig) -> set[str]:
    return {s for step in queue.escalation for s in step.extra_skills}


def _check_plans(queues: list[QueueConfig], queue_id: str, default_domain: str) -> None:
    """The queues as the router builds them; an error of this queue's settings names the field
    of the body (``escalation.0.overflow``), any other the queue it is in."""
    try:
        build_plans(queues, default_domain)
    except RoutingConfigError as exc:
        parts = exc.field.split(".")
        index = [q.id for q in queues].index(queue_id)
        if parts[:2] == ["queues", str(index)]:
            raise invalid(
                ".".join(parts[2:]),
                "%(value)r: %(message)s",
                params={"value": exc.value, "message": exc.message},
            ) from None
        raise invalid("body", str(exc)) from None


async def _queues(conn: AsyncConnection) -> list[QueueConfig]:
    rows = (await conn.execute(select(Queue.__table__).order_by(Queue.queue_id))).mappings()
    return [queue_config(r) for r in rows]


async def _add_skills(conn: AsyncConnection, skills: set[str]) -> None:
    have = set((await conn.execute(select(Skill.skill_id))).scalars())
    new = sorted(skills - have)
    if new:
        await conn.execute(Skill.__table__.insert(), [{"skill_id": s, "name": s} for s in new])


async def _set_levels(conn: AsyncConnection, agent_id: str, skills: Mapping[str, int]) -> None:
    await _add_skills(conn, set(skills))
    t = AgentSkill.__table__
    await conn.execute(delete(t).where(t.c.agent_id == agent_id))
    if skills:
        await conn.execute(
            t.insert(),
            [{"agent_id": agent_id, "skill_id": s, "level": n} for s, n in skills.items()],
        )


async def _audit(
    conn: AsyncConnection,
    by: Actor,
    action: str,
    entity: str,
    entity_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changed: list[str],
    now: datetime,
) -> None:
    """The change's audit row: the fields changed, and their values before and after as JSON."""
    values = {
        "before": {k: before.get(k) for k in changed},
        "after": {k: after[k] for k in changed},
    }
    await record_change(
        conn,
        actor=by.username,
        role=by.role,
        action=action,
        entity=entity,
        entity_id=entity_id,
        fields=changed,
        reason=json.dumps(values, ensure_ascii=False, sort_keys=True),
        at=now,
    )


async def list_skills(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(Skill.skill_id).order_by(Skill.skill_id))).scalars())


async def recent_changes(engine: AsyncEngine, entity: str, limit: int = 30) -> list[dict[str, Any]]:
    """The latest audited changes of one kind (``agent``, ``queue``, ``team``), newest first,
    with their values before and after."""
    t = AuditEntry.__table__
    q = select(t).where(t.c.entity == entity).order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
    async with engine.connect() as conn:
        rows = (await conn.execute(q)).mappings().all()
    out = []
    for r in rows:
        values = json.loads(r["reason"]) if r["reason"].startswith("{") else {}
        out.append(
            {
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "entity_id": r["entity_id"],
                "fields": [f for f in r["fields"].split(",") if f],
                "before": values.get("before", {}),
                "after": values.get("after", {}),
            }
        )
    return out
