"""Store writer throughput: domain events per second from the Redis stream into SQLite and into
PostgreSQL (batched transactions, ack after commit).

Starts its own embedded redis-server and throwaway PostgreSQL cluster; needs no running server.
    .venv/bin/python bench/store_write.py [--calls 10000] [--batch 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis

from config.embedded_redis import EmbeddedRedis
from kernel.events import DomainEvent
from kernel.keys import StreamNames
from store.db import create_engine
from store.migrate import upgrade
from store.throwaway_pg import ThrowawayPostgres
from store.writer import StoreWriter

T0 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def synthetic_events(calls: int, agents: int = 200, seed: int = 7) -> list[DomainEvent]:
    """A day's worth of call and agent-state events (about 8 per answered call)."""
    rng = random.Random(seed)
    out: list[DomainEvent] = []
    for i in range(calls):
        cid = f"call-{i}"
        agent = f"a{rng.randrange(agents)}"
        t = T0 + timedelta(seconds=i * 2.5)

        def e(
            kind: str,
            dt: float,
            agent_id: str | None = None,
            *,
            cid: str = cid,
            t: datetime = t,
            **p: object,
        ) -> None:
            out.append(
                DomainEvent(
                    f"{cid}:{kind}:{dt}", t + timedelta(seconds=dt), kind, cid, agent_id, dict(p)
                )
            )

        e("call.arrived", 0, direction="inbound", caller=f"+86138{i:08d}", queue="sales")
        e("call.queued", 0, queue="sales", priority=0)
        if rng.random() < 0.08:
            e("call.abandoned", 40, wait_s=40)
            continue
        wait = rng.uniform(1, 60)
        e("call.offered", wait - 1, agent)
        e("call.answered", wait, agent)
        e("call.ended", wait + 180, agent, ended_by="caller")
        e("call.wrapped", wait + 210, agent, disposition="resolved")
        for j, (st, dt) in enumerate(
            (("on_call", wait), ("wrap_up", wait + 180), ("ready", wait + 210))
        ):
            out.append(
                DomainEvent(
                    f"{cid}:st{j}",
                    t + timedelta(seconds=dt),
                    "agent.state",
                    cid,
                    agent,
                    {"state": st},
                )
            )
    return out


async def run_one(redis_url: str, db_url: str, events: list[DomainEvent], batch: int) -> float:
    prefix = f"bench{os.getpid()}{int(time.time())}"
    streams = StreamNames(prefix)
    client = aioredis.from_url(redis_url, decode_responses=True)
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        pipe = client.pipeline(transaction=False)
        for n, ev in enumerate(events, 1):
            pipe.xadd(streams.events, ev.to_fields())
            if n % 5000 == 0:
                await pipe.execute()
        await pipe.execute()
        writer = StoreWriter(client, engine, streams, consumer="bench", batch_size=batch)
        started = time.perf_counter()
        written = await writer.run_once()
        elapsed = time.perf_counter() - started
        assert written == len(events), (written, len(events))
        return len(events) / elapsed
    finally:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        await engine.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    events = synthetic_events(args.calls)
    print(f"cores: {os.cpu_count()}  events: {len(events)}  batch: {args.batch}")
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), persist=False) as r:
        sqlite_rate = await run_one(r.url, f"sqlite:///{tmp}/bench.sqlite3", events, args.batch)
        print(f"sqlite:     {sqlite_rate:10.0f} events/s")
        with ThrowawayPostgres() as pg:
            pg_rate = await run_one(r.url, pg.url, events, args.batch)
        print(f"postgresql: {pg_rate:10.0f} events/s")
    print(
        json.dumps(
            {
                "bench": "store_write",
                "events": len(events),
                "batch": args.batch,
                "sqlite_events_per_s": round(sqlite_rate),
                "postgresql_events_per_s": round(pg_rate),
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
