"""Seed the configuration tables (skills, queues, agents) from the settings file: an upsert, so
running it again after editing the file updates the rows."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.settings import Settings
from store.models.core import Agent, AgentSkill, Queue, Skill


async def seed_from_settings(engine: AsyncEngine, settings: Settings) -> dict[str, int]:
    async with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite

        async def upsert(table, rows, key):
            if not rows:
                return
            ins = dialect.insert(table)
            cols = [c for c in rows[0] if c not in key]
            await conn.execute(
                ins.on_conflict_do_update(
                    index_elements=key, set_={c: ins.excluded[c] for c in cols}
                ),
                rows,
            )

        skill_ids = {s.id for s in settings.skills}
        skill_ids |= {k for q in settings.queues for k in q.skills}
        skill_ids |= {k for a in settings.agents for k in a.skills}
        names = {s.id: s.name or s.id for s in settings.skills}
        await upsert(
            Skill.__table__,
            [{"skill_id": s, "name": names.get(s, s)} for s in sorted(skill_ids)],
            ["skill_id"],
        )
        await upsert(
            Queue.__table__,
            [
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
            ],
            ["queue_id"],
        )
        await upsert(
            Agent.__table__,
            [
                {
                    "agent_id": a.id,
                    "name": a.name or a.id,
                    "endpoint": a.dial_string,
                    "team": a.team,
                    "active": True,
                }
                for a in settings.agents
            ],
            ["agent_id"],
        )
        if settings.agents:
            await conn.execute(
                delete(AgentSkill.__table__).where(
                    AgentSkill.__table__.c.agent_id.in_([a.id for a in settings.agents])
                )
            )
            rows = [
                {"agent_id": a.id, "skill_id": s, "level": lvl}
                for a in settings.agents
                for s, lvl in a.skills.items()
            ]
            if rows:
                await conn.execute(AgentSkill.__table__.insert(), rows)
    return {
        "skills": len(skill_ids),
        "queues": len(settings.queues),
        "agents": len(settings.agents),
    }
