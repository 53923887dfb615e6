"""Several routers on one real Redis under a burst of calls, answers, unanswered offers, abandons
and agent state changes: no agent or call is ever offered twice at once, no call is lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import Counter, defaultdict
from typing import Any

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.queueing_helpers import (
    emit,
    eventually,
    make_settings,
    read_stream,
    routing_for,
    running,
)

from kernel.commands import Command
from kernel.keys import DomainKeys, StreamNames
from queueing.errors import AgentStateError
from queueing.routing import Routing
from queueing.rules import earliest_step
from queueing.service import Router

QUEUES = [
    {"id": "sales", "skills": {"sales": 3}, "wrap_up_s": 0, "ring_timeout_s": 1},
    {
        "id": "support",
        "skills": {"support": 5},
        "wrap_up_s": 0,
        "ring_timeout_s": 1,
        "strategy": "most_skilled",
        "escalation": [{"after": 1, "min_level": 2}],
    },
    {
        "id": "vip",
        "skills": {"sales": 6},
        "wrap_up_s": 0,
        "ring_timeout_s": 1,
        "strategy": "round_robin",
        "escalation": [{"after": 1, "overflow": ["sales"]}],
    },
]
ROUTERS = 5
CALLS = 150
AGENTS = 16


def check_agent_chains(agent_events: list[dict[str, Any]]) -> None:
    """Each agent's states, in the order the scripts made them, form one unbroken chain."""
    by_agent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in agent_events:
        by_agent[e["agent_id"]].append(e["payload"])
    for agent_id, changes in by_agent.items():
        changes.sort(key=lambda p: p["seq"])
        assert [p["seq"] for p in changes] == list(range(1, len(changes) + 1)), agent_id
        state = "logged_out"
        for p in changes:
            assert p["previous"] == state, (agent_id, p)
            if p["state"] == "offered":
                assert state == "ready", (agent_id, p)  # never offered while offered or busy
            state = p["state"]


@pytest.mark.parametrize("publish_in_script", [False, True], ids=["outbox", "publish_in_script"])
async def test_many_routers_one_redis(
    redis_url: str, redis: Any, prefix: str, publish_in_script: bool
) -> None:
    rng = random.Random(7)
    s = make_settings(
        prefix,
        QUEUES,
        not_ready_reasons=["break"],
        offer_lease_s=1.0,
        tick_ms=20,
        publish_in_script=publish_in_script,
    )
    clients = [aioredis.from_url(redis_url, decode_responses=True) for _ in range(ROUTERS + 1)]
    routers = [Router(Routing(c, s), block_ms=20, batch=50) for c in clients[:ROUTERS]]
    routing, actions = routing_for(clients[ROUTERS], s, __import__("time").time)
    streams = StreamNames(prefix)
    keys = DomainKeys(prefix, "default")
    skills = [{"sales": rng.randint(1, 10), "support": rng.randint(1, 10)} for _ in range(AGENTS)]
    answered: set[str] = set()
    abandoned: set[str] = set()
    stop = asyncio.Event()

    async def bridge() -> None:
        """Plays the bridge: answers most offers at once, lets some ring out, hangs up later."""
        last = "0-0"
        pending: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            resp = await redis.xread({streams.commands: last}, block=50, count=100)
            for _s, entries in resp or []:
                for entry_id, fields in entries:
                    last = entry_id
                    cmd = Command.from_fields(fields)
                    if cmd.kind != "connect" or rng.random() < 0.2:
                        continue  # ring, no answer
                    call_id, agent_id = cmd.args["call_id"], cmd.args["agent_id"]
                    answered.add(call_id)
                    await emit(
                        redis,
                        prefix,
                        "call.answered",
                        call_id=call_id,
                        agent_id=agent_id,
                        at=__import__("time").time(),
                        event_id=f"ans:{cmd.id}",
                    )

                    async def hang_up(cid: str = call_id) -> None:
                        await asyncio.sleep(rng.uniform(0, 0.2))
                        await emit(
                            redis, prefix, "call.ended", call_id=cid, at=__import__("time").time()
                        )

                    t = asyncio.create_task(hang_up())
                    pending.add(t)
                    t.add_done_callback(pending.discard)
        await asyncio.gather(*pending)

    async def callers() -> None:
        for i in range(CALLS):
            q = rng.choice(QUEUES)["id"]
            await emit(
                redis,
                prefix,
                "call.arrived",
                call_id=f"c{i}",
                at=__import__("time").time(),
                payload={
                    "direction": "inbound",
                    "caller": f"+86{i}",
                    "dialled": "100",
                    "queue": q,
                    "tier": rng.choice(["ordinary", "key_account", "vip"]),
                },
            )
            if rng.random() < 0.1:
                abandoned.add(f"c{i}")
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.3)
        for cid in sorted(abandoned):
            await emit(redis, prefix, "call.abandoned", call_id=cid, at=__import__("time").time())

    async def agents() -> None:
        """Agents go on break and come back while calls are routed (refusals are expected), and
        come back after a ring-out, until the test stops."""
        for _ in range(150):
            a = f"a{rng.randrange(AGENTS)}"
            with contextlib.suppress(AgentStateError):
                if rng.random() < 0.5:
                    await actions.not_ready(a, "break")
                else:
                    await actions.ready(a)
            await asyncio.sleep(0.005)
        while not stop.is_set():
            for i in range(AGENTS):
                if await redis.hget(keys.agent(f"a{i}"), "state") == "not_ready":
                    with contextlib.suppress(AgentStateError):
                        await actions.ready(f"a{i}")
            await asyncio.sleep(0.05)

    try:
        await routing.setup()
        for i in range(AGENTS):
            await actions.login(f"a{i}", skills[i], ready=True)
        async with running(*routers):
            bridge_task = asyncio.create_task(bridge())
            agents_task = asyncio.create_task(agents())
            await callers()

            async def settled() -> bool:
                states = [await redis.hget(keys.call(f"c{i}"), "state") for i in range(CALLS)]
                done = all(st in ("connected", "ended") for st in states)
                pending = await redis.xpending(streams.events, s.routing.consumer_group)
                return done and pending["pending"] == 0

            try:
                await eventually(settled, timeout_s=30)
            except AssertionError:
                left = {f"c{i}": await redis.hgetall(keys.call(f"c{i}")) for i in range(CALLS)}
                left = {
                    k: v for k, v in left.items() if v.get("state") not in ("connected", "ended")
                }
                ags = {f"a{i}": await redis.hgetall(keys.agent(f"a{i}")) for i in range(AGENTS)}
                raise AssertionError(
                    f"not settled: {left} {ags} {await redis.xpending(streams.events, s.routing.consumer_group)}"
                ) from None
            stop.set()
            await bridge_task
            await agents_task
    finally:
        for c in clients:
            await c.aclose()

    # an entry published twice (a lease ran out under load) has the same id: count it once
    unique = {f["id"]: f for f in await read_stream(redis, streams.events)}
    events = [{**f, "payload": json.loads(f["payload"])} for f in unique.values()]
    check_agent_chains([e for e in events if e["type"] == "agent.state"])

    # a call is offered again only after its previous offer rang out (agent.rona)
    offers = Counter(e["call_id"] for e in events if e["type"] == "call.offered")
    ronas = Counter(e["call_id"] for e in events if e["type"] == "agent.rona")
    for call_id, n in offers.items():
        assert n <= 1 + ronas[call_id], call_id
    offer_numbers = defaultdict(list)
    for e in events:
        if e["type"] == "call.offered":
            offer_numbers[e["call_id"]].append(e["payload"]["offer"])
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in offer_numbers.values())
    assert len(offers) >= CALLS - len(abandoned)  # the routers really did route

    # none lost: every call was answered, abandoned, or is still waiting in its queue
    for i in range(CALLS):
        cid = f"c{i}"
        call = await redis.hgetall(keys.call(cid))
        if call["state"] == "waiting":
            assert (
                await redis.zscore(keys.waiting(call["queue"], int(call["step"])), cid) is not None
            )
        else:
            assert call["state"] in ("connected", "ended"), (cid, call)
            assert cid in answered or cid in abandoned
    # and live state agrees: every offered / on-call agent names a call that names it back
    for i in range(AGENTS):
        agent = await redis.hgetall(keys.agent(f"a{i}"))
        assert agent["state"] not in ("offered",)
    # the ready sets hold exactly the ready agents, each at its earliest step of every queue it
    # serves (an agent who took a waiting call the moment it became ready was never added)
    plans = Routing(redis, s).plans
    indexed: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for q, plan in plans.items():
        for step in range(len(plan.steps)):
            for agent_id in await redis.zrange(keys.ready(q, step), 0, -1):
                indexed[agent_id].add((q, step))
    for i in range(AGENTS):
        agent = await redis.hgetall(keys.agent(f"a{i}"))
        expected = set()
        if agent["state"] == "ready":
            expected = {
                (q, step)
                for q, plan in plans.items()
                if (step := earliest_step(skills[i], plan)) is not None
            }
        assert indexed.get(f"a{i}", set()) == expected, (f"a{i}", agent["state"])
