"""Historical reports on a month of a large centre: the intervals report (15 min, every queue)
and the agents report over 30 days, on SQLite and on PostgreSQL.

The month (by default 500 agents, 20,000 calls a day: about 600,000 calls and three agent-state
rows per answered call) is inserted straight into the ``calls`` and ``agent_states`` read models
(what the store writer would have projected), then each report is timed end to end: SQL read,
definitions, frame. Starts its own throwaway PostgreSQL cluster.
    .venv/bin/python bench/reports.py [--agents 500] [--calls-per-day 20000] [--days 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# this script shares its name with the ``reports`` package: keep bench/ off the import path
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from reports.service import ReportRequest, build_report  # noqa: E402
from store.db import create_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models.core import AgentState, Call  # noqa: E402
from store.throwaway_pg import ThrowawayPostgres  # noqa: E402

TZ = "Asia/Shanghai"
FIRST_DAY = date(2026, 11, 1)
QUEUE_IDS = ("sales", "support", "billing", "complaints", "vip")
CHUNK = 20_000


@dataclass
class Q:
    id: str
    sl_target_s: int = 20
    short_abandon_s: int = 5
    abandon_counts_against_sl: bool = True


def month(agents: int, calls_per_day: int, days: int, seed: int = 11) -> tuple[list, list]:
    """Call rows and agent-state rows: arrivals 08:00-20:00 local, 8 % abandoned, waits up to a
    minute, talk about 3 minutes, wrap-up 20 s; each answered call puts its agent on call, in
    wrap-up, then ready."""
    rng = np.random.default_rng(seed)
    n = calls_per_day * days
    day0 = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC) - timedelta(hours=8)
    day = rng.integers(0, days, n)
    offset_s = 8 * 3600 + rng.uniform(0, 12 * 3600, n)
    wait = rng.exponential(15, n)
    talk = rng.gamma(3, 60, n)
    answered = rng.random(n) > 0.08
    agent = rng.integers(0, agents, n)
    queue = rng.integers(0, len(QUEUE_IDS), n)
    calls, states = [], []
    for i in range(n):
        arrived = day0 + timedelta(days=int(day[i]), seconds=float(offset_s[i]))
        row: dict[str, object] = {
            "agent_id": None,
            "answered_at": None,
            "talk_s": None,
            "wrap_s": None,
            "disposition": None,
            "call_id": f"c{i}",
            "direction": "inbound",
            "queue_id": QUEUE_IDS[queue[i]],
            "arrived_at": arrived,
            "wait_s": float(wait[i]),
            "hold_s": 0.0,
            "transferred": bool(i % 50 == 0),
            "offers": 1,
        }
        if answered[i]:
            answered_at = arrived + timedelta(seconds=float(wait[i]))
            ended_at = answered_at + timedelta(seconds=float(talk[i]))
            aid = f"a{agent[i]}"
            row |= {
                "agent_id": aid,
                "answered_at": answered_at,
                "ended_at": ended_at,
                "talk_s": float(talk[i]),
                "wrap_s": 20.0,
                "outcome": "answered",
                "disposition": "resolved" if i % 3 else "information",
            }
            for state, start, end in (
                ("on_call", answered_at, ended_at),
                ("wrap_up", ended_at, ended_at + timedelta(seconds=20)),
                ("ready", ended_at + timedelta(seconds=20), ended_at + timedelta(seconds=21)),
            ):
                states.append(
                    {
                        "agent_id": aid,
                        "state": state,
                        "reason": None,
                        "call_id": row["call_id"],
                        "start_at": start,
                        # a microsecond apart: (agent_id, start_at) is unique
                        "end_at": end - timedelta(microseconds=i % 1000 + 1),
                    }
                )
        else:
            row |= {"outcome": "abandoned", "ended_at": arrived + timedelta(seconds=float(wait[i]))}
        calls.append(row)
    return calls, states


async def load(engine: AsyncEngine, calls: list, states: list) -> None:
    await upgrade(engine)
    for table, rows in ((Call.__table__, calls), (AgentState.__table__, states)):
        for i in range(0, len(rows), CHUNK):
            async with engine.begin() as conn:
                await conn.execute(insert(table), rows[i : i + CHUNK])


async def time_reports(db_url: str, calls: list, states: list, days: int) -> dict[str, float]:
    engine = create_engine(db_url)
    try:
        await load(engine, calls, states)
        out = {}
        for kind in ("intervals", "agents"):
            request = ReportRequest(kind, FIRST_DAY, FIRST_DAY + timedelta(days=days - 1), TZ)
            started = time.perf_counter()
            df = await build_report(engine, request, [Q(q) for q in QUEUE_IDS])
            out[kind] = time.perf_counter() - started
            print(f"  {kind:10s} {out[kind]:7.2f} s  ({len(df)} rows)")
        return out
    finally:
        await engine.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=500)
    ap.add_argument("--calls-per-day", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args()
    calls, states = month(args.agents, args.calls_per_day, args.days)
    print(
        f"cores: {os.cpu_count()}  agents: {args.agents}  calls: {len(calls)}  "
        f"agent states: {len(states)}  days: {args.days}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        print("sqlite:")
        lite = await time_reports(f"sqlite:///{tmp}/bench.sqlite3", calls, states, args.days)
    with ThrowawayPostgres() as pg:
        print("postgresql:")
        pgs = await time_reports(pg.url, calls, states, args.days)
    print(
        json.dumps(
            {
                "bench": "reports",
                "cores": os.cpu_count(),
                "agents": args.agents,
                "calls": len(calls),
                "agent_states": len(states),
                "days": args.days,
                "sqlite_intervals_s": round(lite["intervals"], 2),
                "sqlite_agents_s": round(lite["agents"], 2),
                "postgresql_intervals_s": round(pgs["intervals"], 2),
                "postgresql_agents_s": round(pgs["agents"], 2),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
