"""Faults: how soon routing resumes after a Redis outage, and what outages cost in calls.

The store writer, the router and the bridge run as supervised pieces (as ``callcenter serve``
runs them) against a redis-server of the bench's own (append-only file), with the PBX simulator
over TCP at real speed sending a steady stream of inbound calls to 30 agents. The bench stops
Redis (SIGTERM, by pid) ``--outages`` times for ``--down`` seconds, and for each outage measures
the time from Redis answering again (PING) to the first call offered afterwards (the
``call.offered`` stream entry's own time). When the traffic has drained, the store is compared
with the simulator's callers: calls lost (completed at the PBX, missing from ``calls``) and
doubled (in ``calls`` twice over: a made-up id, or one call arriving under two event ids).

Starts everything it needs; needs no running server.
    .venv/bin/python bench/faults.py [--outages 8] [--down 3] [--every 10] [--rate 3600]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import func, select

from config.embedded_redis import EmbeddedRedis
from config.pieces import supervised
from config.services import open_runtime
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import Call, CallEvent
from telephony.simulator import start_simulator
from telephony.simulator.bursts import burst
from telephony.simulator.engine import Engine
from telephony.simulator.model import Channel

AGENTS = [str(n) for n in range(3001, 3031)]
PIECES = ["store-writer", "router", "bridge"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_settings(redis_url: str, var_dir: Path, ami_port: int) -> Settings:
    return Settings.model_validate(
        {
            "redis_url": redis_url,
            "redis_prefix": "bench",
            "var_dir": str(var_dir),
            "ami": {"host": "127.0.0.1", "port": ami_port, "reconnect_max_s": 1.0},
            "routing": {"tick_ms": 50},
            "skills": [{"id": "sales"}],
            "queues": [{"id": "sales", "skills": {"sales": 1}, "did": ["5000"], "wrap_up_s": 1}],
            "agents": [{"id": a, "skills": {"sales": 5}} for a in AGENTS],
        }
    )


class Callers:
    """Call ids of the simulator's callers that hung up (the PBX's own view)."""

    def __init__(self, engine: Engine) -> None:
        self.ids: dict[str, str] = {}
        self.gone: set[str] = set()
        engine.listeners.append(self._seen)

    def _seen(self, engine: Engine, what: str, ch: Channel) -> None:
        if ch.device is not None and ch.device.kind == "caller":
            self.ids.setdefault(ch.name, ch.linkedid)
            if what == "hangup":
                self.gone.add(self.ids[ch.name])


async def first_offer_after(client: aioredis.Redis, stream: str, since_ms: int) -> int | None:
    """Stream time (ms) of the first ``call.offered`` at or after ``since_ms``; None when there
    is none within a minute."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            while True:
                for entry_id, fields in await client.xrange(
                    stream, min=f"{since_ms}-0", count=2000
                ):
                    if fields.get("type") == "call.offered":
                        return int(entry_id.partition("-")[0])
                await asyncio.sleep(0.05)
    return None


async def caught_up(client: aioredis.Redis, stream: str, group: str) -> bool:
    newest = await client.xrevrange(stream, count=1)
    for g in await client.xinfo_groups(stream):
        if g["name"] == group:
            return int(g["pending"]) == 0 and (not newest or g["last-delivered-id"] == newest[0][0])
    return False


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    server = EmbeddedRedis(tmp / "redis", persist=True).start()
    ami_port = free_port()
    settings = bench_settings(server.url, tmp / "var", ami_port)
    window_s = args.outages * args.every + args.every
    resume_ms: list[float] = []
    missed = 0
    try:
        async with open_runtime(settings) as rt:
            pieces = asyncio.create_task(rt.supervisor.run(supervised(rt, PIECES)))
            client = aioredis.from_url(server.url, decode_responses=True)
            actions = AgentActions(Routing(client, settings))
            for agent_id in AGENTS:
                await actions.login(agent_id, ready=True)
            stream = rt.streams.events
            async with start_simulator(
                scenario=burst(
                    "sales",
                    "5000",
                    AGENTS,
                    window_s=window_s,
                    calls_per_hour=args.rate,
                    patience_mean_s=60,
                    seed=5,
                ),  # fmt: skip
                username=settings.ami.username,
                secret=settings.ami.secret,
                port=ami_port,
                speed=1.0,
            ) as sim:
                callers = Callers(sim.engine)
                await asyncio.sleep(args.every)
                for n in range(args.outages):
                    server.stop()
                    await asyncio.sleep(args.down)
                    await asyncio.to_thread(server.start)
                    answered_ms = int(time.time() * 1000)
                    offered_ms = await first_offer_after(client, stream, answered_ms)
                    if offered_ms is None:
                        missed += 1
                        print(f"outage {n + 1}: no call offered within a minute; pieces: "
                              f"{rt.supervisor.board.snapshot()}")  # fmt: skip
                    else:
                        resume_ms.append(offered_ms - answered_ms)
                        print(f"outage {n + 1}: first offer {offered_ms - answered_ms} ms after")
                    await asyncio.sleep(max(0.0, args.every - args.down))
                async with asyncio.timeout(300):
                    while sim.engine.channels or not await caught_up(  # noqa: ASYNC110
                        client, stream, settings.store.consumer_group
                    ):
                        await asyncio.sleep(1.0)
                    await asyncio.sleep(3.0)
            restarts = {n: s.restarts for n, s in rt.supervisor.board.pieces.items()}
            pieces.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pieces
            async with rt.engine.connect() as conn:
                stored = set((await conn.execute(select(Call.call_id))).scalars())
                arrivals = dict(
                    (
                        await conn.execute(
                            select(CallEvent.call_id, func.count())
                            .where(CallEvent.type == "call.arrived")
                            .group_by(CallEvent.call_id)
                        )
                    ).all()
                )
            ids = [f.get("id") for _, f in await client.xrange(stream)]
            await client.aclose()
    finally:
        server.stop()
    completed = callers.gone
    return {
        "resume_ms": resume_ms,
        "missed": missed,
        "calls": len(completed),
        "lost": len(completed - stored),
        "doubled": len(stored - completed) + sum(1 for n in arrivals.values() if n > 1),
        "events_published_twice": len(ids) - len(set(ids)),
        "restarts": restarts,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--outages", type=int, default=8)
    ap.add_argument("--down", type=float, default=3.0, help="seconds Redis stays stopped")
    ap.add_argument("--every", type=float, default=10.0, help="seconds between outages")
    ap.add_argument("--rate", type=float, default=3600.0, help="inbound calls per hour")
    args = ap.parse_args()
    print(
        f"cores: {os.cpu_count()}  outages: {args.outages} x {args.down:g} s  rate: {args.rate:g}/h"
    )
    with tempfile.TemporaryDirectory() as tmp:
        r = await run(args, Path(tmp))
    p50, p99 = pct(r["resume_ms"], 0.5), pct(r["resume_ms"], 0.99)
    print(f"Redis answering -> first call offered: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(f"calls: {r['calls']}  lost: {r['lost']}  doubled: {r['doubled']}")
    print(
        f"events published twice (removed by the store's idempotence): {r['events_published_twice']}"
    )
    print(f"piece restarts: {r['restarts']}")
    figures: dict[str, Any] = {
        "bench": "faults",
        "redis_outages": args.outages,
        "redis_down_s": args.down,
        "resume_to_first_offer_ms_p50": round(p50),
        "resume_to_first_offer_ms_p99": round(p99),
        "outages_without_offer_in_60s": r["missed"],
        "calls": r["calls"],
        "calls_lost": r["lost"],
        "calls_doubled": r["doubled"],
        "piece_restarts": sum(r["restarts"].values()),
        # the time from a bridge login to its reconciled state: bench/reconcile.py
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
