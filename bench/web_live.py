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

What is counted is a window of the stream: the entries after the last one written before the
measurement (read when the clients are connected and, with the simulator, the agents logged in)
up to the last one written when the source has stopped. Each client counts the events of that
window it receives (the ``sid`` of each message, the stream entry id) and the clients are
waited for until each has the window's last entry. So ``deliveries`` is comparable with
``expected_deliveries`` (events in the window x clients): earlier versions cleared their count
when the simulator's agents were logged in and counted to the end, so the log-in events (two per
agent) still on their way to the 200 clients were counted as deliveries of the window (4.5 %
more than expected with 500 agents). A client receiving an event twice would show as
``repeated`` (the feed sends each client its events in stream order, so a repeat is an entry id
not above the previous one).

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

from config.embedded_redis import EmbeddedRedis
from kernel.events import DomainEvent
from kernel.keys import StreamNames

ROOT = Path(__file__).resolve().parents[1]


PASSWORD = "bench-password-1"
PREFIX = "ccbench"
SID = re.compile(r'"sid":"(\d+)-(\d+)"')


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
    (agents logged in and ready first); prints ``ready``, runs ``seconds``, then stops."""
    import logging

    from kernel.settings import Settings
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
            print("ready", flush=True)
            await asyncio.sleep(seconds)
            for t in tasks:
                t.cancel()
    await client.aclose()
    print("done", flush=True)


async def serve(redis_url: str, db_path: str, port: int, agents: int) -> None:
    """The server side: the real application, one supervisor user."""
    from aiohttp import web

    from kernel.runtime import Runtime
    from kernel.settings import Settings
    from store.db import create_engine
    from store.migrate import upgrade
    from web.app import create_app
    from web.session.users import create_user

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


class Window:
    """What the clients received of the measured window of the stream (see the docstring)."""

    def __init__(self, clients: int) -> None:
        # entries after this one are measured; until it is read, everything received was
        # written before it
        self.start: tuple[int, int] = (sys.maxsize, 0)
        self.lat_ms: list[float] = []
        self.inside = [0] * clients  # per client: events of the window received
        self.before = [0] * clients  # events written before the window, received during it
        self.repeated = [0] * clients  # an entry id not above the previous one
        self.last: list[tuple[int, int]] = [(0, 0)] * clients
        self.connected = 0
        self.all_connected = asyncio.Event()

    def received(self, n: int, now_ms: float, sids: list[tuple[str, str]]) -> None:
        for ms, seq in sids:
            sid = (int(ms), int(seq))
            if sid <= self.last[n]:
                self.repeated[n] += 1
                continue
            self.last[n] = sid
            if sid <= self.start:
                self.before[n] += 1
                continue
            self.inside[n] += 1
            self.lat_ms.append(now_ms - sid[0])


async def client_loop(session: aiohttp.ClientSession, url: str, n: int, w: Window) -> None:
    async with session.ws_connect(url, max_msg_size=0) as ws:
        w.connected += 1
        if w.connected == len(w.inside):
            w.all_connected.set()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            # every event of the frame, found without a full JSON parse (the clients must not
            # be the bottleneck of the measurement: 200 of them share one core here)
            w.received(n, time.time() * 1000, SID.findall(msg.data))


async def last_entry(r: aioredis.Redis, stream: str) -> tuple[int, int]:
    newest = await r.xrevrange(stream, count=1)
    if not newest:
        return (0, 0)
    ms, seq = newest[0][0].split("-")
    return (int(ms), int(seq))


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
            w = Window(args.clients)
            tasks = [
                asyncio.create_task(client_loop(http, "/ws", n, w)) for n in range(args.clients)
            ]
            await asyncio.wait_for(w.all_connected.wait(), 60)
            stream = StreamNames(PREFIX).events
            r = aioredis.from_url(server.url, decode_responses=True)
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
            w.start = await last_entry(r, stream)
            cpu0, t0 = cpu_s(proc.pid), time.monotonic()
            gen_cpu0 = cpu_s(gen.pid)
            redis_cpu0 = await redis_cpu_s(server.url)
            gen_cpu = 0.0
            while await gen.stdout.readline():
                gen_cpu = cpu_s(gen.pid) - gen_cpu0  # before the process ends
            await gen.wait()  # nothing more is written to the stream
            elapsed = time.monotonic() - t0
            cpu = cpu_s(proc.pid) - cpu0
            redis_cpu = await redis_cpu_s(server.url) - redis_cpu0
            end = await last_entry(r, stream)
            written = len(
                await r.xrange(stream, f"({w.start[0]}-{w.start[1]}", f"{end[0]}-{end[1]}")
            )
            await r.aclose()
            try:  # every client has the window's last entry (unless it was told to resync)
                async with asyncio.timeout(60):
                    while min(w.last) < end:  # noqa: ASYNC110 - polled from the clients' counts
                        await asyncio.sleep(0.1)
            except TimeoutError:
                pass
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 20)
        server.stop()
    lat_ms = sorted(w.lat_ms)
    q = statistics.quantiles(lat_ms, n=100) if len(lat_ms) > 100 else [float("nan")] * 99
    return {
        "bench": "web_live",
        "clients": args.clients,
        "calls_per_s": args.calls_per_s,
        "events_per_s": round(written / elapsed, 1),
        "deliveries": sum(w.inside),
        "expected_deliveries": written * args.clients,
        "events_in_window": written,
        "repeated_deliveries": sum(w.repeated),
        "before_window_deliveries": sum(w.before),
        "clients_short": sum(1 for n in w.inside if n != written),
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
        f"{out['expected_deliveries']} deliveries ({out['events_in_window']} events x "
        f"{out['clients']} clients); repeated {out['repeated_deliveries']}, clients short "
        f"{out['clients_short']}; {out['before_window_deliveries']} deliveries of events "
        "written before the window (not counted)"
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
