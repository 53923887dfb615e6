"""``callcenter db seed`` on SQLite and PostgreSQL: the store is authoritative once seeded. A seed
adds what the settings file has and the store lacks, keeps what the store has (an edit made on
the pages), and writes the file over the store only with ``--overwrite``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from store.db import create_engine
from store.models.core import Agent, AgentSkill, Queue

T = TypeVar("T")

TOML = """
[[queues]]
id = "sales"
name = "Sales"
skills = { sales = 1 }

[[agents]]
id = "a1"
name = "Alice Wang"
skills = { sales = 5 }
"""

MORE = """
[[queues]]
id = "support"
skills = { support = 1 }

[[agents]]
id = "a2"
name = "Bob Li"
skills = { support = 7 }
"""


async def _state(engine: AsyncEngine) -> dict[str, object]:
    async with engine.connect() as conn:
        queues = dict((await conn.execute(select(Queue.queue_id, Queue.name))).all())
        agents = dict((await conn.execute(select(Agent.agent_id, Agent.name))).all())
        levels = {
            (a, s): lvl
            for a, s, lvl in (
                await conn.execute(
                    select(AgentSkill.agent_id, AgentSkill.skill_id, AgentSkill.level)
                )
            ).all()
        }
    return {"queues": queues, "agents": agents, "levels": levels}


async def _edit_on_the_pages(engine: AsyncEngine) -> None:
    """What the admin pages do: rename a queue and an agent, change a level."""
    async with engine.begin() as conn:
        await conn.execute(update(Queue).where(Queue.queue_id == "sales").values(name="Sales desk"))
        await conn.execute(update(Agent).where(Agent.agent_id == "a1").values(name="Alice W."))
        await conn.execute(update(AgentSkill).where(AgentSkill.agent_id == "a1").values(level=9))


def test_seed_keeps_edits_unless_overwrite(tmp_path: Path, db_url: str) -> None:
    conf = tmp_path / "callcenter.toml"
    conf.write_text(TOML, encoding="utf-8")
    env = {
        "CALLCENTER_VAR_DIR": str(tmp_path / "var"),
        "CALLCENTER_CONFIG": str(conf),
        "CALLCENTER_DB_URL": db_url,
    }
    runner = CliRunner()

    def seed(*args: str) -> str:
        result = runner.invoke(cli, ["db", "seed", *args], env=env)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())  # the console wraps long lines

    def in_store(fn: Callable[[AsyncEngine], Awaitable[T]]) -> T:
        async def go() -> T:  # an engine per event loop: asyncpg's connections belong to one
            engine = create_engine(db_url)
            try:
                return await fn(engine)
            finally:
                await engine.dispose()

        return asyncio.run(go())

    def state() -> dict[str, object]:
        return in_store(_state)

    assert "1 skills, 1 queues, 1 agents added" in seed()
    in_store(_edit_on_the_pages)
    conf.write_text(TOML + MORE, encoding="utf-8")
    out = seed()
    assert "1 skills, 1 queues, 1 agents added" in out
    assert "1 skills, 1 queues, 1 agents already in the store, kept" in out
    assert state() == {
        "queues": {"sales": "Sales desk", "support": "support"},
        "agents": {"a1": "Alice W.", "a2": "Bob Li"},
        "levels": {("a1", "sales"): 9, ("a2", "support"): 7},
    }
    out = seed("--overwrite")
    assert "0 skills, 0 queues, 0 agents added" in out
    assert "2 skills, 2 queues, 2 agents overwritten" in out
    assert state() == {
        "queues": {"sales": "Sales", "support": "support"},
        "agents": {"a1": "Alice Wang", "a2": "Bob Li"},
        "levels": {("a1", "sales"): 5, ("a2", "support"): 7},
    }
