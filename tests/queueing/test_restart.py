"""A router that dies mid-offer: another one carries on from Redis after the lease."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from callcenter_testkit.queueing_helpers import (
    Clock,
    emit,
    eventually,
    make_settings,
    read_stream,
    routing_for,
    running,
)

from kernel.commands import Command
from kernel.keys import DomainKeys, StreamNames
from queueing.routing import Routing
from queueing.service import Router

QUEUES = [{"id": "sales", "skills": {"sales": 1}, "ring_timeout_s": 1, "wrap_up_s": 0}]


async def test_decision_made_but_not_published_is_recovered_after_the_lease(
    redis: Any, prefix: str, clock: Clock
) -> None:
    # the outbox path (a Redis Cluster's): with publish_in_script a decision and its publication
    # are one atomic script, so there is nothing left to recover
    s = make_settings(
        prefix,
        [{"id": "sales", "skills": {"sales": 1}, "ring_timeout_s": 60}],
        offer_lease_s=5.0,
        publish_in_script=False,
    )
    dead, actions = routing_for(redis, s, clock)
    await dead.setup()
    await actions.login("a1", {"sales": 3}, ready=True)
    # the router decides (the script ran, the offer is in Redis) and dies before publishing
    await dead.run(
        "default",
        "events",
        [{"op": "arrive", "call": "c1", "queue": "sales", "prio": 0, "ts": clock.ms}],
    )
    streams = StreamNames(prefix)
    assert await read_stream(redis, streams.commands) == []
    survivor = Router(Routing(redis, s, clock=clock), block_ms=20)
    async with running(survivor):
        await survivor.tick_once(clock.ms + 4_999)
        assert await read_stream(redis, streams.commands) == []  # lease still held
        clock.advance(5)
        await survivor.tick_once()  # lease over: the survivor publishes the offer
        [cmd] = [Command.from_fields(f) for f in await read_stream(redis, streams.commands)]
    assert (cmd.id, cmd.args) == (
        "c1|connect|1",
        {"call_id": "c1", "agent_id": "a1", "ring_timeout_s": 60},
    )
    types = [f["type"] for f in await read_stream(redis, streams.events)]
    assert types.count("call.offered") == 1 and types.count("call.queued") == 1
    assert await redis.zcard(DomainKeys(prefix, "default").outbox) == 0


async def test_killed_router_process_is_taken_over(
    redis_url: str, redis: Any, prefix: str, tmp_path: Path
) -> None:
    """A real router process is killed (SIGKILL) while its offer rings; the router left running
    notices the ring timeout, marks the agent rona and offers the call to the next agent."""
    config = tmp_path / "callcenter.toml"
    config.write_text(
        f'redis_url = "{redis_url}"\nredis_prefix = "{prefix}"\nvar_dir = "{tmp_path / "var"}"\n'
        "[routing]\noffer_lease_s = 1.0\ntick_ms = 20\n"
        '[[queues]]\nid = "sales"\nskills = { sales = 1 }\nring_timeout_s = 1\nwrap_up_s = 0\n'
    )
    s = make_settings(prefix, QUEUES, offer_lease_s=1.0, tick_ms=20)
    streams = StreamNames(prefix)
    keys = DomainKeys(prefix, "default")
    routing, actions = routing_for(redis, s, time.time)
    await routing.setup()
    await actions.login("a1", {"sales": 5}, ready=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "callcenter"),
        "--config",
        str(config),
        "router",
        env=env,
        cwd=Path(__file__).parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        async def group_ready() -> bool:
            try:
                return bool(await redis.xinfo_groups(streams.events))
            except aioredis.ResponseError:
                return False

        await eventually(group_ready, timeout_s=30)
        await emit(
            redis,
            prefix,
            "call.arrived",
            call_id="c1",
            at=time.time(),
            payload={"direction": "inbound", "queue": "sales"},
        )

        async def offered() -> bool:
            return await redis.hget(keys.agent("a1"), "state") == "offered"

        await eventually(offered, timeout_s=30)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # mid-offer: the agent's phone is ringing
        await proc.wait()
    await actions.login("a2", {"sales": 5}, ready=False)
    survivor = Router(Routing(redis, s), block_ms=20)
    async with running(survivor):
        await actions.ready("a2")  # busy elsewhere until now; a1 still holds the offer

        async def re_offered() -> bool:
            return await redis.hget(keys.agent("a2"), "call") == "c1"

        await eventually(re_offered, timeout_s=30)

        async def published() -> bool:  # the offer's effects reach the streams after the hash
            commands = await read_stream(redis, streams.commands)
            events = await read_stream(redis, streams.events)
            return (
                sum(1 for f in commands if f["kind"] == "connect") >= 2
                and len({f["id"] for f in events if f["type"] == "call.offered"}) >= 2
            )

        await eventually(published, timeout_s=30)
    a1 = await redis.hgetall(keys.agent("a1"))
    assert (a1["state"], a1["reason"]) == ("not_ready", "rona")
    # killed between publishing and clearing its outbox entry, the dead router's effects are
    # published again by the survivor: same ids, so consumers see each once
    events = {
        f["id"]: {**f, "payload": json.loads(f["payload"])}
        for f in await read_stream(redis, streams.events)
    }
    offers = [
        (e["agent_id"], e["payload"]["offer"])
        for e in events.values()
        if e["type"] == "call.offered"
    ]
    assert offers == [("a1", 1), ("a2", 2)]
    commands = {
        c.id: c.kind for c in map(Command.from_fields, await read_stream(redis, streams.commands))
    }
    assert list(commands.values()) == ["connect", "return_to_hold", "connect"]


async def test_events_read_by_a_dead_router_are_claimed(
    redis: Any, prefix: str, clock: Clock
) -> None:
    s = make_settings(prefix, QUEUES, offer_lease_s=0.05)
    routing, actions = routing_for(redis, s, clock)
    streams = StreamNames(prefix)
    await redis.xgroup_create(streams.events, "router", id="$", mkstream=True)
    await routing.setup()
    await actions.login("a1", {"sales": 5}, ready=True)
    await emit(redis, prefix, "call.arrived", call_id="c1", at=clock.t, payload={"queue": "sales"})
    # a router reads the entry, then dies before acknowledging it
    await redis.xreadgroup("router", "dead", {streams.events: ">"}, count=100)
    await asyncio.sleep(0.1)  # older than the (short) lease
    survivor = Router(routing, block_ms=10)
    async with running(survivor):

        async def connected() -> bool:
            return any(f["kind"] == "connect" for f in await read_stream(redis, streams.commands))

        await eventually(connected)

        async def acknowledged() -> bool:  # the ack follows the script that wrote the connect
            return (await redis.xpending(streams.events, "router"))["pending"] == 0

        await eventually(acknowledged)
