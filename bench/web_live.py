"""Live feed latency: from an event entering the events stream to its arrival at many WebSocket
clients, and the web server's CPU share while it fans out.

The web server runs in its own process (so its CPU time can be read from /proc); this process
holds ``--clients`` supervisor WebSockets. Latency is the client's receive time minus the stream
entry's time (the Redis entry id), both on this machine's clock.

The events come from ``--source``:

* ``simulator`` (default): a third process runs the PBX simulator in real time with
  ``--calls-per-s`` arriving over ten queues, the AMI bridge reading it over TCP and the router;
  ``--agents`` agents are logged in and ready, their phones answer, talk a few seconds and the
  router ends their wrap-up: the real event mix, at the real rate, with the whole pipeline's CPU
  beside the web server's;
* ``synthetic``: a generator writes about ten events per call at ``--calls-per-s`` (arrived,
  queued, agent offered / on call / wrap-up / ready, offered, answered, ended, wrapped): the web
  server's share alone, with nothing else on the machine's two cores.

    .venv/bin/python bench/web_live.py [--source simulator] [--clients 200] [--calls-per-s 50] \
        [--agents 500] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.embedded_redis import EmbeddedRedis  # noqa: E402
from store.events import DomainEvent, StreamNames  # noqa: E402

PASSWORD = "bench-password-1"
PREFIX = "ccbench"
SID = re.compile(r'"sid":"(\d+)-')


QUEUES = 10
TALK_S = 5.0  # short calls, so that --agents can take --calls-per-s (500 agents: 10 s a call)
SIM_USER, SIM_SECRET = "bench", "bench-secret"


def settings_data(agents: int, queues: int = QUEUES, ami_port: int = 5038) -> dict[str, object]:
    return {
        "redis_prefix": PREFIX,
        "queues": [
            {"id": f"q{i}", "skills": {f"s{i}": 1}, "did": [f"60{i:02d}"], "wrap_up_s": 1}
            for i in range(queues)
        ],
        "agents": [{"id": f"a{i}", "skills": {f"s{i % queues}": 5}} for i in range(agents)],
        "web": {"ws_queue_size": 5000, "stats_every_ms": 1000},
        "ami": {"host": "127.0.0.1", "port": ami_port, "username": SIM_USER, "secret": SIM_SECRET},
    }


async def pbx(redis_url: str, calls_per_s: float, agents: int, seconds: float) -> None:
    """The telephony side for ``--source simulator``: simulator, bridge and router in one process
    (agents logged in and ready first); prints ``ready``, runs ``seconds``, then prints how many
    events entered the stream meanwhile."""
    import logging

    from config.settings import Settings
    from queueing.actions import AgentActions
    from queueing.routing import Routing
    from queueing.service import Router
    from telephony.bridge import Bridge
    from telephony.simulator import Scenario, start_simulator
    from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

    logging.basicConfig(level=logging.WARNING)
    fixed = {"kind": "fixed"}
    scenario = Scenario(
        queues=[
            QueueTraffic(
                queue=f"q{i}",
                did=f"60{i:02d}",
                calls_per_hour=calls_per_s * 3600 / QUEUES,
                talk_s=Dist(**fixed, mean=TALK_S),
                patience_s=Dist(**fixed, mean=120),
                wrap_up_s=Dist(**fixed, mean=1),
            )
            for i in range(QUEUES)
        ],
        agents=[
            AgentPhone(
                agent_id=f"a{i}", answer_delay_s=Dist(**fixed, mean=0.5), no_answer_p=0, hold_p=0
            )
            for i in range(agents)
        ],
        unknown_endpoints_answer=False,
    )
    client = aioredis.from_url(redis_url, decode_responses=True)
    stream = StreamNames(PREFIX).events
    async with start_simulator(
        scenario=scenario, speed=1.0, traffic=True, username=SIM_USER, secret=SIM_SECRET
    ) as sim:
        settings = Settings.model_validate(settings_data(agents, ami_port=sim.port))
        routing = Routing(client, settings)
        await routing.setup()
        actions = AgentActions(routing)
        for i in range(agents):
            await actions.login(f"a{i}")
            await actions.ready(f"a{i}")
        bridge = Bridge(settings, client)
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(bridge.run()), tg.create_task(Router(routing).run())]
            await asyncio.wait_for(bridge.connected.wait(), 30)
            start = await client.xlen(stream)
            print("ready", flush=True)
            await asyncio.sleep(seconds)
            print(await client.xlen(stream) - start, flush=True)
            for t in tasks:
                t.cancel()
    await client.aclose()


async def serve(redis_url: str, db_path: str, port: int, agents: int) -> None:
    """The server side: the real application, one supervisor user."""
    from aiohttp import web

    from config.runtime import Runtime
    from config.settings import Settings
    from store.db import create_engine
    from store.migrate import upgrade
    from web.app import create_app
    from web.users import create_user

    settings = Settings.model_validate(settings_data(agents))
    engine = create_engine(f"sqlite:///{db_path}")
    await upgrade(engine)
    await create_user(engine, "boss", PASSWORD, "supervisor", now=datetime.now(UTC))
    client = aioredis.from_url(redis_url, decode_responses=True)
    rt = Runtime(settings=settings, redis=client, engine=engine, redis_url=redis_url)
    runner = web.AppRunner(create_app(rt), handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await client.aclose()
    await engine.dispose()


async def redis_cpu_s(url: str) -> float:
    r = aioredis.from_url(url)
    info = await r.info("cpu")
    await r.aclose()
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call_events(i: int, agent: str, rng: random.Random) -> list[DomainEvent]:
    cid = f"bench-{i}"
    now = datetime.now(UTC)

    def e(t: str, agent_id: str | None = None, **p: object) -> DomainEvent:
        return DomainEvent(
            f"{cid}:{t}:{p.get('state', '')}",
            now,
            t,
            cid if t.startswith("call") else None,
            agent_id,
            dict(p),
        )

    return [
        e("call.arrived", direction="inbound", caller=f"+86138{i:08d}", queue="q1"),
        e("call.queued", queue="q1", priority=0),
        e("agent.state", agent, state="offered"),
        e("call.offered", agent, queue="q1"),
        e("call.answered", agent),
        e("agent.state", agent, state="on_call"),
        e("call.ended", agent, by=rng.choice(["caller", "agent"])),
        e("agent.state", agent, state="wrap_up"),
        e("call.wrapped", agent, disposition="resolved"),
        e("agent.state", agent, state="ready"),
    ]


async def client_loop(
    session: aiohttp.ClientSession,
    url: str,
    lat_ms: list[float],
    ready: asyncio.Event,
    counter: list[int],
) -> None:
    async with session.ws_connect(url, max_msg_size=0) as ws:
        counter[0] += 1
        if counter[0] == counter[1]:
            ready.set()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            now_ms = time.time() * 1000
            # every event of the frame, found without a full JSON parse (the clients must not
            # be the bottleneck of the measurement: 200 of them share one core here)
            lat_ms.extend(now_ms - int(ms) for ms in SID.findall(msg.data))


async def bench(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="web-live-"))
    server = EmbeddedRedis(tmp / "redis", persist=False).start()
    port = 18000 + os.getpid() % 1000
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the event loop is busy
        [
            sys.executable,
            __file__,
            "--serve",
            server.url,
            str(tmp / "db.sqlite3"),
            str(port),
            str(args.agents),
        ],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        assert line.strip() == b"ready", line
        base = f"http://127.0.0.1:{port}"
        jar = aiohttp.CookieJar(unsafe=True)
        conn = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(base, cookie_jar=jar, connector=conn) as http:
            async with http.get("/api/session") as r:
                token = (await r.json())["csrf_token"]
            async with http.post(
                "/api/session",
                json={"username": "boss", "password": PASSWORD},
                headers={"X-CSRF-Token": token},
            ) as r:
                assert r.status == 200, await r.text()
            lat_ms: list[float] = []
            ready = asyncio.Event()
            counter = [0, args.clients]
            tasks = [
                asyncio.create_task(client_loop(http, "/ws", lat_ms, ready, counter))
                for _ in range(args.clients)
            ]
            await asyncio.wait_for(ready.wait(), 60)
            mode = "--pbx" if args.source == "simulator" else "--generate"
            gen = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                mode,
                server.url,
                str(args.calls_per_s),
                str(args.agents),
                str(args.seconds),
                stdout=asyncio.subprocess.PIPE,
                cwd=ROOT,
            )
            assert gen.stdout is not None
            if mode == "--pbx":  # agents log in first: measure from the first call on
                line = await asyncio.wait_for(gen.stdout.readline(), 300)
                assert line.strip() == b"ready", line
                lat_ms.clear()
            cpu0, t0 = cpu_s(proc.pid), time.monotonic()
            gen_cpu0 = cpu_s(gen.pid)
            redis_cpu0 = await redis_cpu_s(server.url)
            last, gen_cpu = b"", 0.0
            while line := await gen.stdout.readline():
                last = line
                gen_cpu = cpu_s(gen.pid) - gen_cpu0  # before the process ends
            await gen.wait()
            written = int(last.strip() or 0)
            elapsed = time.monotonic() - t0
            cpu = cpu_s(proc.pid) - cpu0
            redis_cpu = await redis_cpu_s(server.url) - redis_cpu0
            await asyncio.sleep(1.0)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 20)
        server.stop()
    lat_ms.sort()
    q = statistics.quantiles(lat_ms, n=100) if len(lat_ms) > 100 else [float("nan")] * 99
    return {
        "bench": "web_live",
        "clients": args.clients,
        "calls_per_s": args.calls_per_s,
        "events_per_s": round(written / elapsed, 1),
        "deliveries": len(lat_ms),
        "expected_deliveries": written * args.clients,
        "p50_ms": round(q[49], 2),
        "p99_ms": round(q[98], 2),
        "server_cpu_pct": round(100 * cpu / elapsed, 1),
        "source": args.source,
        "source_cpu_pct": round(100 * gen_cpu / elapsed, 1),
        "redis_cpu_pct": round(100 * redis_cpu / elapsed, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
    }


async def generate(redis_url: str, calls_per_s: float, agents: int, seconds: float) -> int:
    """Write the calls' events at the given rate (its own process: the clients' JSON parsing
    must not slow the generator down); returns how many events were written."""
    r = aioredis.from_url(redis_url, decode_responses=True)
    stream = StreamNames(PREFIX).events
    rng = random.Random(5)
    tick_s = 0.02
    carry, i, written = 0.0, 0, 0
    t0 = time.monotonic()
    next_tick = t0
    while time.monotonic() - t0 < seconds:
        carry += calls_per_s * tick_s
        pipe = r.pipeline(transaction=False)
        while carry >= 1:
            carry -= 1
            for ev in call_events(i, f"a{rng.randrange(agents)}", rng):
                pipe.xadd(stream, ev.to_fields())
                written += 1
            i += 1
        if len(pipe):
            await pipe.execute()
        next_tick += tick_s
        await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
    await r.aclose()
    return written


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--generate", "--pbx"):
        run = generate if sys.argv[1] == "--generate" else pbx
        url, rate, agents, seconds = (
            sys.argv[2],
            float(sys.argv[3]),
            int(sys.argv[4]),
            float(sys.argv[5]),
        )
        out = asyncio.run(run(url, rate, agents, seconds))
        if out is not None:
            print(out, flush=True)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        redis_url, db_path, port, agents = (
            sys.argv[2],
            sys.argv[3],
            int(sys.argv[4]),
            int(sys.argv[5]),
        )
        asyncio.run(serve(redis_url, db_path, port, agents))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", choices=["simulator", "synthetic"], default="simulator")
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--calls-per-s", type=float, default=50)
    p.add_argument("--agents", type=int, default=500)
    p.add_argument("--seconds", type=float, default=20)
    args = p.parse_args()
    out = asyncio.run(bench(args))
    print(
        f"{out['clients']} WebSocket clients, {out['calls_per_s']} calls/s "
        f"({out['events_per_s']} events/s), {out['deliveries']} of "
        f"{out['expected_deliveries']} deliveries"
    )
    print(f"event in stream -> at client: p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms")
    print(
        f"CPU (% of one core): web server {out['server_cpu_pct']}, {out['source']} "
        f"{out['source_cpu_pct']}, redis {out['redis_cpu_pct']}; load average "
        f"{out['load_avg_1m']}; machine cores: {out['cores']}"
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
