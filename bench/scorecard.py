"""Scorecard time: KPIs, scores, totals and ranks for 500 agents x 30 days of calls.

Fills a SQLite file (and, unless ``--no-postgres``, a throwaway PostgreSQL cluster) with the
``calls`` read model of a month (default 40 handled calls per agent per day, plus abandoned
calls, outbound callbacks and repeat callers), the router's offer events of its inbound calls in
``call_events`` (``call.offered`` and ``call.answered``, and an ``agent.rona`` of another agent
before 3 % of them: the answer rate's input) and 20 QA evaluations per agent, then times what
``callcenter scorecard --period 2026-11`` does: the grouped SQL reads, the scoring and the CSV
rendering. Filling is not timed.

    .venv/bin/python bench/scorecard.py [--agents 500] [--days 30] [--calls-per-day 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.forms import Form, Item, Section, form_to_dict
from qa.kpi_store import KpiOptions, read_totals
from qa.periods import parse_period
from qa.scorecard import build_scorecards
from qa.service import scorecards_csv
from store.db import create_engine
from store.migrate import upgrade
from store.models.core import Agent, Call, CallEvent
from store.models.qa import QaEvaluation, QaForm, QaFormVersion
from store.throwaway_pg import ThrowawayPostgres

START = datetime(2026, 11, 1, tzinfo=UTC)
DISPOSITIONS = (
    ["resolved"] * 70 + ["information"] * 10 + ["follow_up"] * 8 + ["complaint"] * 4 + ["sale"] * 8
)


def call_rows(agents: int, days: int, per_day: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    customers = max(1000, agents * per_day * days // 6)  # so that some customers call again
    n = 0
    for day in range(days):
        day_start = START + timedelta(days=day, hours=8)
        for a in range(agents):
            agent_id = f"ag{a:04d}"
            t = day_start + timedelta(seconds=rng.uniform(0, 600))
            for _ in range(per_day):
                n += 1
                cust = rng.randrange(customers)
                outbound = rng.random() < 0.1
                talk = rng.lognormvariate(5.4, 0.5)
                hold = rng.choice([0.0, 0.0, 0.0, rng.uniform(5, 90)])
                wrap = rng.uniform(10, 90)
                answered = t + timedelta(seconds=rng.uniform(2, 40))
                yield {
                    "call_id": f"k{n}",
                    "direction": "outbound" if outbound else "inbound",
                    "queue_id": f"q{a % 5}" if not outbound else "outbound",
                    "caller": f"+86138{cust:08d}",
                    "customer_id": None if rng.random() < 0.1 else f"cu{cust}",
                    "agent_id": agent_id,
                    "arrived_at": t,
                    "answered_at": answered,
                    "ended_at": answered + timedelta(seconds=talk + hold),
                    "wait_s": (answered - t).total_seconds(),
                    "talk_s": talk,
                    "hold_s": hold,
                    "wrap_s": wrap,
                    "outcome": "answered",
                    "disposition": "resolved" if outbound else rng.choice(DISPOSITIONS),
                    "transferred": rng.random() < 0.05,
                    "offers": 1,
                }
                if rng.random() < 0.05:  # someone gave up waiting in the queue
                    n += 1
                    yield {
                        "call_id": f"k{n}",
                        "direction": "inbound",
                        "queue_id": f"q{a % 5}",
                        "caller": f"+86138{rng.randrange(customers):08d}",
                        "customer_id": None,
                        "agent_id": None,
                        "arrived_at": t,
                        "answered_at": None,
                        "ended_at": t + timedelta(seconds=30),
                        "wait_s": 30.0,
                        "talk_s": None,
                        "hold_s": 0.0,
                        "wrap_s": None,
                        "outcome": "abandoned",
                        "disposition": None,
                        "transferred": False,
                        "offers": 0,
                    }
                t = answered + timedelta(seconds=talk + hold + wrap + rng.uniform(5, 120))


def offer_events(row: dict[str, Any], agents: int, rng: random.Random) -> list[dict[str, Any]]:
    """The router's events of an inbound handled call: its offer to the agent who answered it,
    after an offer that rang out at another agent for 3 % of the calls."""
    if row["direction"] != "inbound" or row["agent_id"] is None:
        return []
    call_id, agent_id, at = row["call_id"], row["agent_id"], row["answered_at"]
    out = []
    if rng.random() < 0.03:
        other = f"ag{(int(agent_id[2:]) + 1) % agents:04d}"
        out.append((f"{call_id}:o0", "call.offered", other, at - timedelta(seconds=20)))
        out.append((f"{call_id}:r0", "agent.rona", other, at - timedelta(seconds=5)))
    out.append((f"{call_id}:o1", "call.offered", agent_id, at - timedelta(seconds=2)))
    out.append((f"{call_id}:a", "call.answered", agent_id, at))
    return [
        {"event_id": e, "ts": ts, "type": t, "call_id": call_id, "agent_id": a, "payload": {}}
        for e, t, a, ts in out
    ]


async def fill(engine: AsyncEngine, agents: int, days: int, per_day: int) -> int:
    rows = 0
    async with engine.begin() as conn:
        await conn.execute(
            insert(Agent),
            [
                {
                    "agent_id": f"ag{a:04d}",
                    "name": f"Agent {a}",
                    "endpoint": f"PJSIP/{a}",
                    "team": f"team{a // 12:02d}",
                    "active": True,
                }
                for a in range(agents)
            ],
        )
        form = Form(
            "bench", 1, "zero_evaluation", (Section("S", (Item("q", "t", 1, "scale", max=10),)),)
        )
        form_id = (
            await conn.execute(insert(QaForm).values(name="bench", created_at=START))
        ).inserted_primary_key[0]
        fv = (
            await conn.execute(
                insert(QaFormVersion).values(
                    form_id=form_id,
                    version=1,
                    fingerprint="x",
                    definition=form_to_dict(form),
                    created_at=START,
                )
            )
        ).inserted_primary_key[0]
    chunk: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    offers_rng = random.Random(7)
    for row in call_rows(agents, days, per_day, seed=11):
        chunk.append(row)
        events += offer_events(row, agents, offers_rng)
        if len(chunk) == 20_000:
            rows += await _insert(engine, chunk, events)
            chunk, events = [], []
    if chunk:
        rows += await _insert(engine, chunk, events)
    rng = random.Random(5)
    evaluations = [
        {
            "form_version_id": fv,
            "call_id": f"e{a}-{i}",
            "agent_id": f"ag{a:04d}",
            "evaluator_id": "qa1",
            "call_at": START + timedelta(days=rng.uniform(0, days)),
            "answers": {"q": 8},
            "comments": {},
            "score": rng.uniform(50, 100),
            "section_scores": {},
            "critical_failed": [],
            "status": "submitted",
            "created_at": START,
            "updated_at": START,
        }
        for a in range(agents)
        for i in range(20)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(QaEvaluation), evaluations)
    return rows


async def _insert(
    engine: AsyncEngine, calls: list[dict[str, Any]], events: list[dict[str, Any]]
) -> int:
    async with engine.begin() as conn:
        await conn.execute(insert(Call), calls)
        if events:
            await conn.execute(insert(CallEvent), events)
    return len(calls)


async def time_scorecard(engine: AsyncEngine, repeat: int) -> dict[str, float]:
    period = parse_period("2026-11")
    read_s, score_s, total_s = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        totals, teams = await read_totals(engine, period, KpiOptions())
        t1 = time.perf_counter()
        cards = build_scorecards(totals, teams)
        scorecards_csv(cards)
        t2 = time.perf_counter()
        read_s.append(t1 - t0)
        score_s.append(t2 - t1)
        total_s.append(t2 - t0)
    assert len(cards) >= 1
    return {
        "read_s": statistics.median(read_s),
        "score_s": statistics.median(score_s),
        "total_s": statistics.median(total_s),
        "agents": len(cards),
    }


async def run_on(url: str, args: argparse.Namespace) -> dict[str, float]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        t0 = time.perf_counter()
        rows = await fill(engine, args.agents, args.days, args.calls_per_day)
        fill_s = time.perf_counter() - t0
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
        result = await time_scorecard(engine, args.repeat)
        result.update({"calls": rows, "fill_s": fill_s})
        return result
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--calls-per-day", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = asyncio.run(run_on(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args))
    if not args.no_postgres:
        with ThrowawayPostgres() as pg:
            results["postgresql"] = asyncio.run(run_on(pg.url, args))
    for name, r in results.items():
        print(
            f"{name:10s} {r['agents']:.0f} agents, {r['calls']:.0f} calls over {args.days} days "
            f"(filled in {r['fill_s']:.1f} s): scorecard {r['total_s']:.2f} s "
            f"(SQL reads {r['read_s']:.2f} s, scoring + CSV {r['score_s'] * 1000:.0f} ms), "
            f"median of {args.repeat}"
        )
    print(f"cores: {os.cpu_count()}")
    summary: dict[str, Any] = {
        "bench": "scorecard",
        "agents": args.agents,
        "days": args.days,
        "calls": int(results["sqlite"]["calls"]),
        "sqlite_total_s": round(results["sqlite"]["total_s"], 3),
        "sqlite_read_s": round(results["sqlite"]["read_s"], 3),
    }
    if "postgresql" in results:
        summary["postgresql_total_s"] = round(results["postgresql"]["total_s"], 3)
        summary["postgresql_read_s"] = round(results["postgresql"]["read_s"], 3)
    summary["score_ms"] = round(results["sqlite"]["score_s"] * 1000, 1)
    summary["cores"] = os.cpu_count()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
