"""Seed the configuration tables (skills, queues, agents with their skill levels) from the settings
file.

The store is authoritative once seeded: a seed adds the rows the file has and the store lacks
(a new agent with its skill levels) and keeps every row the store already has, so an edit made
on the administration pages survives ``callcenter db seed`` and a demo restart. ``overwrite=True``
(``db seed --overwrite``) writes the file's values over the store's instead, replacing the skill
levels of the file's agents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel.settings import AgentConfig, Settings
from store.models.core import Agent, AgentSkill, Queue, Skill


@dataclass
class SeedReport:
    """Rows per table (``skills``, ``queues``, ``agents``): added, kept as the store had them,
    overwritten with the file's values."""

    added: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    overwritten: dict[str, int] = field(default_factory=dict)


def _rows(settings: Settings) -> dict[str, tuple[Table, str, list[dict[str, Any]]]]:
    """Each table's rows as the settings file has them: table, key column, rows."""
    skill_ids = {s.id for s in settings.skills}
    skill_ids |= {k for q in settings.queues for k in q.skills}
    skill_ids |= {k for a in settings.agents for k in a.skills}
    names = {s.id: s.name or s.id for s in settings.skills}
    skills = [{"skill_id": s, "name": names.get(s, s)} for s in sorted(skill_ids)]
    queues = [
        {
            "queue_id": q.id,
            "name": q.name or q.id,
            "required_skills": q.skills,
            "priority": q.priority,
            "sl_target_pct": q.sl_target_pct,
            "sl_target_s": q.sl_target_s,
            "settings": q.model_dump(mode="json"),
        }
        for q in settings.queues
    ]
    agents = [
        {"agent_id": a.id, "name": a.name or a.id, "endpoint": a.dial_string, "team": a.team}
        for a in settings.agents
    ]
    return {
        "skills": (Skill.__table__, "skill_id", skills),
        "queues": (Queue.__table__, "queue_id", queues),
        "agents": (Agent.__table__, "agent_id", agents),
    }


async def seed_from_settings(
    engine: AsyncEngine, settings: Settings, *, overwrite: bool = False
) -> SeedReport:
    report = SeedReport()
    added_agents: set[str] = set()
    async with engine.begin() as conn:
        for name, (table, key, rows) in _rows(settings).items():
            have = set((await conn.execute(select(table.c[key]))).scalars())
            new = [r for r in rows if r[key] not in have]
            old = [r for r in rows if r[key] in have]
            if new:
                await conn.execute(table.insert(), [r | _defaults(name) for r in new])
            if overwrite and old:
                await _update(conn, table, key, old)
            report.added[name] = len(new)
            report.kept[name] = 0 if overwrite else len(old)
            report.overwritten[name] = len(old) if overwrite else 0
            if name == "agents":
                added_agents = {r[key] for r in new}
        levels_of = [a for a in settings.agents if overwrite or a.id in added_agents]
        await _agent_levels(conn, levels_of)
    return report


def _defaults(table: str) -> dict[str, Any]:
    return {"active": True} if table == "agents" else {}


async def _update(
    conn: AsyncConnection, table: Table, key: str, rows: Sequence[dict[str, Any]]
) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    ins = dialect.insert(table)
    cols = [c for c in rows[0] if c != key]
    await conn.execute(
        ins.on_conflict_do_update(index_elements=[key], set_={c: ins.excluded[c] for c in cols}),
        list(rows),
    )


async def _agent_levels(conn: AsyncConnection, agents: Sequence[AgentConfig]) -> None:
    """The skill levels of ``agents`` as the settings file has them (replacing the store's)."""
    if not agents:
        return
    t = AgentSkill.__table__
    await conn.execute(delete(t).where(t.c.agent_id.in_([a.id for a in agents])))
    rows = [
        {"agent_id": a.id, "skill_id": s, "level": lvl}
        for a in agents
        for s, lvl in a.skills.items()
    ]
    if rows:
        await conn.execute(t.insert(), rows)
