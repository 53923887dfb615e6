"""Offers that cannot ring: how fast the caller is offered to the next agent.

The PBX simulator runs in real time; the AMI bridge and the router run in this process on a real
redis-server (embedded). Agent ``a1``'s phone is not registered (the simulator answers its Dial
with CHANUNAVAIL at once, no Dial event, as Asterisk 22 does: real-Asterisk capture 18); ``a2``
answers. For each of ``--calls`` calls, ``a1`` is the longest-idle agent, so the router offers it
first; the bridge sees the failed Dial (``call.connect_failed``), the router ends the offer,
makes ``a1`` not ready (``unreachable``) and offers the call to ``a2``. Measured on the
simulator's side, per call: from the Redirect of the caller to ``a1`` to the Redirect to ``a2``
(the whole loop: the PBX's dialplan, AMI, the bridge, Redis, the router, back), p50 and p99.
The queue's ring timeout is 300 s: before this change the second offer waited for it.

    .venv/bin/python bench/offers.py [--calls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from config.embedded_redis import EmbeddedRedis
from kernel.keys import StreamNames
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router
from telephony.ami_frames import Frame
from telephony.bridge import Bridge
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

USER, SECRET = "bench", "bench-secret"
SCENARIO = Scenario(
    queues=[QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=0.5))],
    agents=[
        AgentPhone(agent_id="a1", registered=False),
        AgentPhone(
            agent_id="a2",
            answer_delay_s=Dist(kind="fixed", mean=0.2),
            no_answer_p=0.0,
            hold_p=0.0,
        ),
    ],
    unknown_endpoints_answer=False,
)


def settings(prefix: str, redis_url: str, port: int) -> Settings:
    return Settings.model_validate(
        {
            "redis_url": redis_url,
            "redis_prefix": prefix,
            "ami": {"host": "127.0.0.1", "port": port, "username": USER, "secret": SECRET},
            "routing": {"tick_ms": 20},
            "queues": [
                {"id": "sales", "skills": {"sales": 1}, "wrap_up_s": 0, "ring_timeout_s": 300}
            ],
            "agents": [{"id": a, "skills": {"sales": 1}} for a in ("a1", "a2")],
        }
    )


async def run(calls: int, redis_url: str) -> list[float]:
    redirects: list[tuple[float, str]] = []  # (when, agent) of each Redirect to cc-connect
    async with start_simulator(
        scenario=SCENARIO, speed=1.0, traffic=False, username=USER, secret=SECRET
    ) as sim:
        handle = sim.manager.handle

        def timed(session_id: int, frame: Frame) -> bool:
            if frame.action == "Redirect" and frame.get("Context") == "cc-connect":
                redirects.append((time.perf_counter(), frame.get("Exten") or ""))
            return handle(session_id, frame)

        sim.manager.handle = timed  # type: ignore[method-assign]
        prefix = f"bench-offers-{os.getpid()}"
        s = settings(prefix, redis_url, sim.port)
        redis = aioredis.from_url(redis_url, decode_responses=True)
        routing = Routing(redis, s)
        router, bridge = Router(routing, block_ms=20), Bridge(s, redis)
        tasks = [asyncio.create_task(router.run()), asyncio.create_task(bridge.run())]
        try:
            await router.started.wait()
            await bridge.connected.wait()
            actions = AgentActions(routing)
            await actions.login("a1", ready=True)
            await actions.login("a2", ready=True)
            for n in range(calls):
                if (await actions.state("a1")).get("state") != "ready":
                    # a1 the longest idle again, so that it is offered first
                    await actions.not_ready("a2", "break")
                    await actions.ready("a1")
                    await actions.ready("a2")
                sim.call_in("5000", f"+86138{n:08d}", Device(kind="caller", patience_s=600))
                await until_answered(redis, StreamNames(prefix).events, n + 1)
                await until_ready(actions, "a2")
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()
    out: list[float] = []
    for (t1, a), (t2, b) in zip(redirects, redirects[1:], strict=False):
        if (a, b) == ("a1", "a2"):
            out.append((t2 - t1) * 1000)
    return out


async def until_answered(redis: Any, stream: str, n: int) -> None:
    while True:  # the condition is in Redis
        entries = await redis.xrange(stream)
        if sum(1 for _, f in entries if f["type"] == "call.answered") >= n:
            return
        await asyncio.sleep(0.01)


async def until_ready(actions: AgentActions, agent_id: str) -> None:
    while (await actions.state(agent_id)).get("state") != "ready":  # noqa: ASYNC110 - in Redis
        await asyncio.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), persist=False).start()
        try:
            gaps = asyncio.run(run(args.calls, server.url))
        finally:
            server.stop()
    gaps.sort()
    p50 = statistics.median(gaps)
    p99 = gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))]
    cores = os.cpu_count()
    print(f"calls: {len(gaps)} offered to an unregistered agent, then to the next one")
    print(
        f"Redirect to a1 -> Redirect to a2: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {gaps[-1]:.1f} ms"
    )
    print("queue ring timeout: 300000 ms (what the second offer waited for before)")
    print(f"cores: {cores}")
    print(
        json.dumps(
            {
                "bench": "offers",
                "calls": len(gaps),
                "next_offer_p50_ms": round(p50, 1),
                "next_offer_p99_ms": round(p99, 1),
                "next_offer_max_ms": round(gaps[-1], 1),
                "cores": cores,
            }
        )
    )


if __name__ == "__main__":
    main()
