"""A week of calls generated as domain events (post-call survey scores included), written
through the store writer, then ``callcenter scorecard --period 2026-W47`` and ``qa sample
--week 2026-W47`` on it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from kernel.events import DomainEvent
from qa.scorecard import DEFAULT_ROLES, KPIS
from store.models.core import Call
from store.writer import write_events

WEEK_START = datetime(2026, 11, 16, tzinfo=UTC)  # Monday of 2026-W47
AGENTS = [f"w{i}" for i in range(6)]


def week_events(seed: int = 3) -> list[DomainEvent]:
    rng = random.Random(seed)
    events: list[DomainEvent] = []
    n = 0
    for day in range(5):
        for agent in AGENTS:
            t = WEEK_START + timedelta(days=day, hours=9, minutes=rng.uniform(0, 30))
            for _ in range(rng.randint(6, 12)):
                n += 1
                cid = f"sim{n}"
                customer = f"cu{rng.randrange(40)}"

                def ev(
                    kind: str,
                    at: datetime,
                    agent_id: str | None = None,
                    *,
                    cid: str = cid,
                    **p: object,
                ) -> None:
                    events.append(DomainEvent(f"{cid}:{kind}", at, kind, cid, agent_id, dict(p)))

                ev(
                    "call.arrived",
                    t,
                    direction="inbound",
                    caller=f"+86{n:09d}",
                    queue="support",
                    customer_id=customer,
                )
                ev("call.queued", t, queue="support", priority=0)
                answered = t + timedelta(seconds=rng.uniform(3, 60))
                ev("call.offered", answered - timedelta(seconds=2), agent)
                ev("call.answered", answered, agent)
                talk = rng.uniform(20, 1200)
                if rng.random() < 0.2:
                    ev("call.held", answered + timedelta(seconds=talk / 2), agent)
                    ev("call.resumed", answered + timedelta(seconds=talk / 2 + 30), agent)
                    talk += 30
                if rng.random() < 0.1:
                    ev("call.transferred", answered + timedelta(seconds=talk - 5), agent)
                ended = answered + timedelta(seconds=talk)
                ev("call.ended", ended, agent, ended_by="agent")
                if rng.random() < 0.6:  # the caller scored the call in the post-call survey
                    score = rng.randint(1, 5)
                    ev("call.surveyed", ended + timedelta(seconds=6), agent, score=score)
                disposition = rng.choice(["resolved", "resolved", "complaint", "follow_up", "sale"])
                wrap = rng.uniform(10, 80)
                ev("call.wrapped", ended + timedelta(seconds=wrap), agent, disposition=disposition)
                t = ended + timedelta(seconds=wrap + rng.uniform(30, 300))
    return events


async def test_scorecard_and_sample_on_a_simulated_week(
    engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    events = week_events()
    async with engine.begin() as conn:
        assert await write_events(conn, events) == len(events)
    async with engine.connect() as conn:
        calls = (await conn.execute(select(func.count()).select_from(Call))).scalar_one()
    assert calls > 100
    config = tmp_path / "callcenter.toml"
    config.write_text(
        "".join(f'[[agents]]\nid = "{a}"\nteam = "t{i % 2}"\n\n' for i, a in enumerate(AGENTS))
    )
    env = {"CALLCENTER_DB_URL": db_url}

    def run(*args: str):
        return asyncio.to_thread(
            CliRunner().invoke,
            cli,
            ["--config", str(config), *args],
            env=env,
            catch_exceptions=False,
        )

    table = await run("scorecard", "--period", "2026-W47")
    assert table.exit_code == 0, table.output
    rows = [line for line in table.output.splitlines() if line.startswith("│ w")]
    assert sorted(line.split("│")[1].strip() for line in rows) == AGENTS
    out = await run("scorecard", "--period", "2026-W47", "--format", "csv")
    cards = list(csv.DictReader(io.StringIO(out.output)))
    assert len(cards) == len(AGENTS)
    agent_kpis = {r.kpi for r in DEFAULT_ROLES["agent"].rules}
    for card in cards:
        for kpi in KPIS:
            if kpi in agent_kpis and kpi not in ("qa_score", "adherence_pct"):
                assert card[f"{kpi}_score"] != "", (card["agent_id"], kpi)
        assert set(card["missing"].split()) == {"qa_score", "adherence_pct"}
        assert 0 <= float(card["total"]) <= 100
    ranks = sorted((c["team"], int(c["rank"])) for c in cards)
    assert [r for t, r in ranks if t == "t0"][0] == 1

    sample = await run("qa", "sample", "--week", "2026-W47", "--per-agent", "3", "--format", "json")
    picked = json.loads(sample.output)
    per_agent = {a: sum(s["agent_id"] == a for s in picked) for a in AGENTS}
    assert all(n >= 3 for n in per_agent.values())
    assert len({s["call_id"] for s in picked}) == len(picked)
