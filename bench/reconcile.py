"""Reconcile at a bridge's login: time from the AMI login to the reconciled state.

Set-up per run (embedded redis-server, SQLite store, the PBX simulator on loopback TCP with the
manual clock, the router and the store writer in this process): a first bridge sees ``calls``
callers arrive and wait (the router queues them: no agent is logged in), the store records them;
the bridge stops (a gap). While no bridge listens half of the callers hang up, and as many new
callers arrive and hang up (calls inside the gap), with the simulator writing Master.csv. A new
bridge, with ``[ami] cdr_csv``, logs in; the figure is the time from its login to the reconciled
state (``Bridge.reconciled_s``: the ``Status`` snapshot read, the platform's live calls read
from the router and the store, the CDR read, every reconcile event in the stream). The router's
and the writer's work on those events is not included.

``measure_reconcile(calls)`` is the function to reuse (e.g. in ``bench/faults.py``).
Run: ``.venv/bin/python bench/reconcile.py [--calls 100 500 1000]``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from config.embedded_redis import EmbeddedRedis
from kernel.keys import StreamNames
from kernel.settings import Settings
from queueing.routing import Routing
from queueing.service import Router
from store.db import create_engine
from store.migrate import upgrade
from store.writer import StoreWriter
from telephony.bridge import Bridge
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import QueueTraffic

USER, SECRET = "cc", "bench"


def _settings(redis_url: str, prefix: str, port: int, cdr: Path) -> Settings:
    return Settings.model_validate(
        {
            "redis_url": redis_url,
            "redis_prefix": prefix,
            "ami": {
                "host": "127.0.0.1",
                "port": port,
                "username": USER,
                "secret": SECRET,
                "reconnect_max_s": 0.2,
                "cdr_csv": str(cdr),
            },
            "queues": [{"id": "sales", "did": ["5000"], "skills": {"sales": 1}}],
        }
    )


async def _bridge_until_connected(bridge: Bridge) -> asyncio.Task[None]:
    task = asyncio.create_task(bridge.run())
    async with asyncio.timeout(120):
        await bridge.connected.wait()
    return task


async def _stop(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def measure_reconcile(calls: int, redis_url: str, workdir: Path) -> dict[str, Any]:
    """One run with ``calls`` known waiting calls (half gone at the login) and ``calls // 2``
    calls inside the gap: the login-to-reconciled time and what the reconcile did."""
    prefix = f"benchrc{calls}"
    db = workdir / f"store-{calls}.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade(engine)
    cdr = workdir / f"Master-{calls}.csv"
    redis = aioredis.from_url(redis_url, decode_responses=True)
    scenario = Scenario(queues=[QueueTraffic(queue="sales", did="5000")])
    try:
        async with start_simulator(
            scenario=scenario,
            username=USER,
            secret=SECRET,
            speed=None,
            traffic=False,
            cdr_csv=cdr,
        ) as sim:
            settings = _settings(redis_url, prefix, sim.port, cdr)
            router = Router(Routing(redis, settings), block_ms=20)
            writer = StoreWriter(redis, engine, StreamNames(prefix), consumer="bench")
            router_task = asyncio.create_task(router.run())
            await router.started.wait()

            def caller(n: int) -> Any:
                device = Device(kind="caller", cid_name="Li", patience_s=None)
                return sim.engine.inbound_call("5000", f"+86138{n:08d}", "Li", device)

            first = Bridge(settings, redis, engine=engine, initial_backoff_s=0.01)
            task = await _bridge_until_connected(first)
            known = [caller(n) for n in range(calls)]
            for _ in range(4):
                await sim.advance(0.5)
            await first.send_action([("Action", "Ping")], action_id="bench-sync")
            await first.published()
            await writer.run_once()
            await _stop(task)
            # the gap: half of the known callers hang up, new ones come and go
            await sim.drop_connections()
            for ch in known[::2]:
                sim.engine.hangup(ch, 16)
            for n in range(calls // 2):
                ch = caller(calls + n)
                await sim.advance(0.2)
                sim.engine.hangup(ch, 16)
            await sim.advance(1.0)
            second = Bridge(settings, redis, engine=engine, initial_backoff_s=0.01)
            task = await _bridge_until_connected(second)
            plan = second.last_plan
            assert plan is not None and second.reconciled_s is not None
            result = {
                "known_calls": calls,
                "login_to_reconciled_ms": round(second.reconciled_s * 1000, 1),
                "ended": len(plan.ended_by_guess) + len(plan.ended_by_cdr),
                "ended_from_cdr": len(plan.ended_by_cdr),
                "backfilled": len(plan.backfilled),
            }
            await _stop(task)
            await _stop(router_task)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 500):
            await redis.delete(*keys[i : i + 500])
        await redis.aclose()
        await engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[100, 500, 1000])
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", persist=False).start()
        try:
            for calls in args.calls:
                runs.append(asyncio.run(measure_reconcile(calls, server.url, Path(tmp))))
        finally:
            server.stop()
    cores = os.cpu_count()
    for r in runs:
        print(
            f"{r['known_calls']:5d} known calls: login -> reconciled "
            f"{r['login_to_reconciled_ms']:8.1f} ms ({r['ended']} ended, "
            f"{r['ended_from_cdr']} of them from the CDR; {r['backfilled']} backfilled)"
        )
    print(f"cores: {cores}")
    print(
        json.dumps(
            {
                "bench": "reconcile",
                "known_calls": [r["known_calls"] for r in runs],
                "login_to_reconciled_ms": [r["login_to_reconciled_ms"] for r in runs],
                "ended_calls": [r["ended"] for r in runs],
                "backfilled_calls": [r["backfilled"] for r in runs],
                "cores": cores,
            }
        )
    )


if __name__ == "__main__":
    main()
