"""Routing benchmark: decisions per second and decision latency of the Redis router.

A driver plays the bridge: it writes ``call.arrived`` events, and answers and hangs up every
``connect`` command at once (wrap-up 0), so an agent who hangs up is ready again and takes the best
waiting call. Routers run in their own processes (``--routers``). A *decision* is a connect
command; its latency is from the event that made it possible (the call's arrival, or the agent's
previous call ending, whichever came later) being written to the connect command being read.

Two phases: ``burst`` writes every call as fast as possible (throughput), ``paced`` writes calls
at ``--rate`` per second (latency under a steady load). The ceiling is a trivial EVALSHA
(``return 1``) loop from the same kind of client: one at a time, and pipelined like the router.

    .venv/bin/python bench/routing.py --agents 1000 --queues 50 --skills 30 --calls 20000 --routers 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis.asyncio as aioredis  # noqa: E402

from config.embedded_redis import EmbeddedRedis  # noqa: E402
from config.settings import Settings  # noqa: E402
from queueing import scripts  # noqa: E402
from queueing.actions import AgentActions  # noqa: E402
from queueing.routing import Routing  # noqa: E402
from queueing.service import Router  # noqa: E402
from store.events import DomainEvent, StreamNames  # noqa: E402


def make_config(args: argparse.Namespace, prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    rng = random.Random(args.seed)
    skills = [f"s{i}" for i in range(args.skills)]
    queues = []
    for i in range(args.queues):
        required = rng.sample(skills, rng.choice([1, 1, 2]))
        queues.append({
            "id": f"q{i}",
            "skills": {s: rng.randint(1, 5) for s in required},
            "strategy": rng.choice(["longest_idle", "longest_idle", "most_skilled", "round_robin"]),
            "priority": rng.randint(0, 3),
            "wrap_up_s": 0,
            "ring_timeout_s": 300,
            "escalation": [{"after": 30, "min_level": 1}],
        })
    agents = {f"a{i}": {s: rng.randint(1, 10) for s in rng.sample(skills, 6)} for i in range(args.agents)}
    settings = {"redis_prefix": prefix, "queues": queues,
                "routing": {"tick_ms": 50, "offer_lease_s": 30}}
    return settings, agents


def router_process(url: str, settings: dict[str, Any], stop: Any) -> None:
    async def main() -> None:
        client = aioredis.from_url(url, decode_responses=True)
        task = asyncio.create_task(Router(Routing(client, Settings.model_validate(settings)), block_ms=5).run())
        while not stop.is_set():  # noqa: ASYNC110 - a multiprocessing event
            await asyncio.sleep(0.1)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await client.aclose()

    if os.environ.get("BENCH_PROFILE"):  # e.g. BENCH_PROFILE=/tmp/router.prof
        import cProfile

        cProfile.runctx("asyncio.run(main())", globals(), locals(), f"{os.environ['BENCH_PROFILE']}.{os.getpid()}")
    else:
        asyncio.run(main())


def fields(type_: str, call_id: str, agent_id: str | None = None, payload: dict[str, Any] | None = None) -> dict[str, str]:
    return DomainEvent(id=f"{type_}:{call_id}", ts=datetime.now(UTC), type=type_, call_id=call_id,
                       agent_id=agent_id, payload=payload or {}).to_fields()


class Driver:
    def __init__(self, client: aioredis.Redis, streams: StreamNames, n_queues: int, seed: int) -> None:
        self.client, self.streams = client, streams
        self.rng = random.Random(seed + 1)
        self.n_queues = n_queues
        self.trigger_at: dict[str, float] = {}  # call -> arrival written
        self.freed_at: dict[str, float] = {}  # agent -> previous call's end written
        self.latencies_ms: list[float] = []
        self.decided_at: list[float] = []
        self.last_id = "$"

    async def start(self) -> None:
        last = await self.client.xrevrange(self.streams.commands, count=1)
        self.last_id = last[0][0] if last else "0-0"

    async def append(self, entries: list[dict[str, str]]) -> None:
        """Like the bridge would: many events in one call (the router's append script)."""
        if entries:
            await self.client.evalsha(*scripts.append_call(self.streams.events, entries))

    async def arrive(self, call_ids: list[str]) -> None:
        now = time.time()
        entries = []
        for cid in call_ids:
            self.trigger_at[cid] = now
            entries.append(fields("call.arrived", cid, payload={
                "direction": "inbound", "caller": "+8613800000000", "dialled": "100",
                "queue": f"q{self.rng.randrange(self.n_queues)}",
                "tier": self.rng.choice(["ordinary"] * 8 + ["key_account", "vip"])}))
        await self.append(entries)

    async def respond(self, until: int) -> None:
        """Answer and hang up every connect until ``until`` decisions were seen."""
        while len(self.latencies_ms) < until:
            resp = await self.client.xread({self.streams.commands: self.last_id}, block=100, count=2000)
            if not resp:
                continue
            seen = time.time()
            entries = []
            for entry_id, f in resp[0][1]:
                self.last_id = entry_id
                if f["kind"] != "connect":
                    continue
                args = json.loads(f["args"])
                cid, aid = args["call_id"], args["agent_id"]
                trigger = max(self.trigger_at[cid], self.freed_at.get(aid, 0.0))
                self.latencies_ms.append((seen - trigger) * 1000)
                self.decided_at.append(seen)
                entries.append(fields("call.answered", cid, aid))
                entries.append(fields("call.ended", cid))
            await self.append(entries)
            now = time.time()
            for _entry_id, f in resp[0][1]:
                if f["kind"] == "connect":
                    self.freed_at[json.loads(f["args"])["agent_id"]] = now


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def ceiling(client: aioredis.Redis, key: str, n: int, batch: int) -> tuple[float, float]:
    sha = await client.script_load("return 1")
    t = time.perf_counter()
    for _ in range(n):
        await client.evalsha(sha, 1, key)
    one_by_one = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(n // batch):
        pipe = client.pipeline(transaction=False)
        for _ in range(batch):
            pipe.evalsha(sha, 1, key)
        await pipe.execute()
    pipelined = (n // batch) * batch / (time.perf_counter() - t)
    return one_by_one, pipelined


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    prefix = f"bench{os.getpid()}"
    settings_dict, agents = make_config(args, prefix)
    settings = Settings.model_validate(settings_dict)
    client = aioredis.from_url(url, decode_responses=True)
    streams = StreamNames(prefix)
    try:
        routing = Routing(client, settings)
        await routing.setup()
        await client.xgroup_create(streams.events, settings.routing.consumer_group, id="$", mkstream=True)
        actions = AgentActions(routing)
        for agent_id, skills in agents.items():
            await actions.login(agent_id, skills, ready=True)
        one_by_one, pipelined = await ceiling(client, routing.keys("default").timers, 5000, 100)

        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        procs = [ctx.Process(target=router_process, args=(url, settings_dict, stop)) for _ in range(args.routers)]
        for p in procs:
            p.start()
        await asyncio.sleep(2.0)  # routers load settings and join the group
        driver = Driver(client, streams, args.queues, args.seed)
        await driver.start()

        # burst: every call at once (in pipelines of 500)
        burst_calls = args.calls
        responder = asyncio.create_task(driver.respond(burst_calls))
        t0 = time.time()
        for i in range(0, burst_calls, 500):
            await driver.arrive([f"b{j}" for j in range(i, min(i + 500, burst_calls))])
            await asyncio.sleep(0)
        await responder
        burst_s = driver.decided_at[-1] - t0
        burst = {"decisions": burst_calls, "seconds": burst_s, "per_s": burst_calls / burst_s,
                 "p50_ms": pct(driver.latencies_ms, 0.5), "p99_ms": pct(driver.latencies_ms, 0.99)}

        # paced: a steady rate, latency under load
        paced_calls = args.paced_calls
        driver.latencies_ms, driver.decided_at = [], []
        responder = asyncio.create_task(driver.respond(paced_calls))
        t0 = time.time()
        step = max(1, int(args.rate / 200))  # a few calls every 5 ms
        for i in range(0, paced_calls, step):
            due = t0 + i / args.rate
            await asyncio.sleep(max(0.0, due - time.time()))
            await driver.arrive([f"p{j}" for j in range(i, min(i + step, paced_calls))])
        await responder
        paced_s = driver.decided_at[-1] - t0
        paced = {"decisions": paced_calls, "seconds": paced_s, "per_s": paced_calls / paced_s,
                 "p50_ms": pct(driver.latencies_ms, 0.5), "p99_ms": pct(driver.latencies_ms, 0.99),
                 "mean_ms": statistics.fmean(driver.latencies_ms)}
        stop.set()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
        return {"burst": burst, "paced": paced, "evalsha_one_by_one_per_s": one_by_one,
                "evalsha_pipelined_per_s": pipelined}
    finally:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=5000)]
        for i in range(0, len(keys), 500):
            await client.delete(*keys[i:i + 500])
        await client.aclose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--skills", type=int, default=30)
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--routers", type=int, default=1)
    ap.add_argument("--paced-calls", type=int, default=4000)
    ap.add_argument("--rate", type=float, default=400.0, help="calls/s in the paced phase")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--redis-url", default=None, help="default: an embedded redis-server")
    args = ap.parse_args()
    server = None
    url = args.redis_url
    if url is None:
        server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="bench-redis-")), persist=False).start()
        url = server.url
    try:
        res = asyncio.run(run(args, url))
    finally:
        if server is not None:
            server.stop()
    b, p = res["burst"], res["paced"]
    ceil1, ceilp = res["evalsha_one_by_one_per_s"], res["evalsha_pipelined_per_s"]
    print(f"cores: {os.cpu_count()}  routers: {args.routers}  agents: {args.agents}  queues: "
          f"{args.queues}  skills: {args.skills}")
    print(f"burst  {b['decisions']} calls: {b['per_s']:,.0f} decisions/s  p50 {b['p50_ms']:.1f} ms  "
          f"p99 {b['p99_ms']:.1f} ms (includes waiting in the stream backlog)")
    print(f"paced  {p['decisions']} calls at {args.rate:.0f}/s: {p['per_s']:,.0f} decisions/s  "
          f"p50 {p['p50_ms']:.2f} ms  p99 {p['p99_ms']:.2f} ms")
    print(f"ceiling: trivial EVALSHA {ceil1:,.0f}/s one by one, {ceilp:,.0f}/s pipelined (100)")
    print(f"ratio: burst decisions/s / EVALSHA one by one = {b['per_s'] / ceil1:.2f}, "
          f"/ pipelined = {b['per_s'] / ceilp:.2f}")
    print(json.dumps({
        "bench": "routing", "routers": args.routers, "calls": args.calls,
        "decisions_per_s": round(b["per_s"]), "burst_p50_ms": round(b["p50_ms"], 2),
        "burst_p99_ms": round(b["p99_ms"], 2), "paced_rate_per_s": args.rate,
        "p50_ms": round(p["p50_ms"], 2), "p99_ms": round(p["p99_ms"], 2),
        "evalsha_per_s": round(ceil1), "evalsha_pipelined_per_s": round(ceilp),
        "ratio_to_evalsha": round(b["per_s"] / ceil1, 3),
        "ratio_to_evalsha_pipelined": round(b["per_s"] / ceilp, 3), "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
