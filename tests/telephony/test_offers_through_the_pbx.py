"""Offers end to end: the PBX simulator over loopback TCP, the AMI bridge, the real router on a
real Redis (and, for the callback, the store writer and the outbound scheduler on SQLite and
PostgreSQL). What real Asterisk showed, played by the simulator:

- the connect carries the queue's ring timeout: the simulator receives ``Setvar
  CC_RING_TIMEOUT_S`` before the Redirect, and its Dial rings for exactly that long;
- an agent whose phone is not registered (Dial -> CHANUNAVAIL at once, no Dial event, as in
  capture 18) loses the offer at once: not ready ``unreachable``, and the next agent is offered
  the call, long before the 300 s ring timeout (which runs on the router's own clock);
- a callback asked for in line is dialled as a call of its own, ``<call>-cb`` with
  ``origin_call_id``, while the caller is still on the line: Asterisk does not refuse it, and
  both calls are recorded as what they are.

The simulator's clock is manual: ``Platform.until`` moves it in small steps while the bridge and
the router (real tasks) do their work, until what is awaited is there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import (
    customers_who_answer,
    manual_pbx,
    routed_settings,
    router_and_bridge,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import Settings
from outbound.scheduler import OutboundScheduler
from outbound.tasks import OutboundConfig
from outbound.tasks_store import list_tasks
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import Call, CallEvent
from store.writer import StoreWriter
from telephony.ami_frames import Frame
from telephony.simulator import Scenario, Simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = pytest.mark.timeout(120)

RING_S = 300  # the queue's ring timeout: never reached in these tests
FIXED = {"kind": "fixed"}
CUSTOMER = "+8613900000002"


def settings_for(prefix: str, port: int) -> Settings:
    return routed_settings(
        prefix,
        port,
        queues=[{"id": "sales", "skills": {"sales": 1}, "wrap_up_s": 0, "ring_timeout_s": RING_S}],
        agents=[{"id": a, "skills": {"sales": 1}} for a in ("a1", "a2")],
        outbound={"queue": "sales", "call_from": "00:00", "call_until": "00:00"},
    )


SCENARIO = Scenario(
    queues=[QueueTraffic(queue="sales", did="5000")],
    agents=[
        # a1's phone is switched off: configured in Asterisk, no contact registered
        AgentPhone(agent_id="a1", registered=False),
        AgentPhone(
            agent_id="a2", answer_delay_s=Dist(**FIXED, mean=1), no_answer_p=0.0, hold_p=0.0
        ),
    ],
    unknown_endpoints_answer=False,
    outbound=customers_who_answer(ring_s=2, talk_s=20),
)


@dataclass
class Platform:
    sim: Simulator
    redis: aioredis.Redis
    streams: StreamNames
    routing: Routing
    actions: AgentActions
    writer: StoreWriter | None = None
    scheduler: OutboundScheduler | None = None

    async def events(self) -> list[DomainEvent]:
        return [DomainEvent.from_fields(f) for _, f in await self.redis.xrange(self.streams.events)]

    async def until(
        self, what: str, done: Callable[[], Awaitable[bool]], *, sim_s: float = 120.0
    ) -> None:
        """Move the PBX on in 0.1 s steps, the bridge, router (and store) keeping up, until
        ``done``; at most ``sim_s`` simulated seconds."""
        for _ in range(int(sim_s / 0.1)):
            await self.sim.advance(0.1)
            await asyncio.sleep(0.005)
            if self.writer is not None:
                await self.writer.run_once()
            if self.scheduler is not None:
                await self.scheduler.stream.drain()
            if await done():
                return
        raise AssertionError(f"{what}: not within {sim_s} simulated seconds")

    async def first(self, type_: str, **match: Any) -> DomainEvent:
        found: list[DomainEvent] = []

        async def seen() -> bool:
            found[:] = [
                e
                for e in await self.events()
                if e.type == type_ and all(getattr(e, k) == v for k, v in match.items())
            ]
            return bool(found)

        await self.until(f"{type_} {match}", seen)
        return found[0]

    def received(self, action: str) -> list[Frame]:
        return [f for _, f in self.sim.received if f.action == action]


@contextlib.asynccontextmanager
async def platform(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine | None = None
) -> AsyncIterator[Platform]:
    async with manual_pbx(SCENARIO) as sim:
        settings = settings_for(prefix, sim.port)
        async with router_and_bridge(settings, redis) as routing:
            p = Platform(sim, redis, StreamNames(prefix), routing, AgentActions(routing))
            if engine is not None:
                p.writer = StoreWriter(redis, engine, p.streams, consumer="test-writer")
                p.scheduler = OutboundScheduler(
                    engine, routing, OutboundConfig.from_settings(settings), consumer="test"
                )
                await p.writer.ensure_group()
                await p.scheduler.ensure_group()
            yield p


def caller(patience_s: float = 3600) -> Device:
    return Device(kind="caller", label="sales", cid_name="Alice", patience_s=patience_s)


async def test_unregistered_agent_loses_the_offer_at_once_and_the_next_agent_takes_the_call(
    redis: aioredis.Redis, prefix: str
) -> None:
    async with platform(redis, prefix) as p:
        await p.actions.login("a1", ready=True)
        await p.sim.advance(1)
        await p.actions.login("a2", ready=True)  # a1 has waited longer: offered first
        p.sim.call_in("5000", "+8613800000001", caller())
        answered = await p.first("call.answered")
        events = [e for e in await p.events() if e.call_id == answered.call_id]
        a1 = await p.actions.state("a1")
    assert [
        (e.type, e.agent_id)
        for e in events
        if e.type in ("call.offered", "call.connect_failed", "call.answered", "agent.rona")
    ] == [
        ("call.offered", "a1"),
        ("call.connect_failed", "a1"),
        ("call.offered", "a2"),
        ("call.answered", "a2"),
    ]
    [failed] = [e for e in events if e.type == "call.connect_failed"]
    assert failed.payload["dial_status"] == "CHANUNAVAIL"
    offers = [e.payload["trigger"] for e in events if e.type == "call.offered"]
    assert offers == ["call_arrived", "requeue"]
    assert (a1["state"], a1["reason"], a1["call"]) == ("not_ready", "unreachable", "")
    unreachable = [
        e for e in events if e.type == "agent.state" and e.payload.get("reason") == "unreachable"
    ]
    assert [e.agent_id for e in unreachable] == ["a1"]


async def test_the_connect_carries_the_queues_ring_timeout_to_the_dial(
    redis: aioredis.Redis, prefix: str
) -> None:
    """Before each Redirect to cc-connect the simulator receives Setvar CC_RING_TIMEOUT_S with
    the queue's ring timeout, and its Dial rings the agent for exactly that long."""
    async with platform(redis, prefix) as p:
        dials: list[str] = []
        p.sim.engine.listeners.append(
            lambda engine, what, ch: (
                dials.append(ch.app_data) if what == "bridged" and ch.app == "Dial" else None
            )
        )
        await p.actions.login("a2", ready=True)
        ch = p.sim.call_in("5000", "+8613800000001", caller())
        await p.first("call.answered", agent_id="a2")
        setvars = [(f["Channel"], f["Variable"], f["Value"]) for f in p.received("Setvar")]
        [redirect] = p.received("Redirect")
    assert setvars == [
        (ch.name, "CC_AGENT_ENDPOINT", "PJSIP/a2"),
        (ch.name, "CC_RING_TIMEOUT_S", str(RING_S)),
    ]
    assert (redirect["Channel"], redirect["Context"], redirect["Exten"]) == (
        ch.name,
        "cc-connect",
        "a2",
    )
    # cc-connect's Dial (t: transfer rights; g: a caller outlives the agent), as entered
    assert dials == [f"PJSIP/a2,{RING_S},tg"]


async def test_callback_in_queue_is_dialled_as_its_own_call_and_both_are_recorded(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> None:
    """The caller asks for a callback and stays on the line: the dial ``<call>-cb`` is
    originated with CC_ORIGIN_CALL_ID, the customer answers, a2 talks to them; later the caller
    hangs up. No command is refused; the caller's row is theirs (outcome callback), the dial's
    its own (outbound, answered, 20 s of talk), every event of the dial names the caller's call;
    the outbound task follows the dial."""
    async with platform(redis, prefix, engine) as p:
        ch = p.sim.call_in("5000", "+8613800000001", caller(patience_s=60))
        arrived = await p.first("call.arrived")
        call_id = arrived.call_id or ""
        callback = await p.actions.request_callback(call_id, CUSTOMER)
        dial = callback.dial_call_id
        assert dial == f"{call_id}-cb"
        await p.actions.login("a2", ready=True)
        await p.first("call.ended", call_id=dial)
        await p.first("call.ended", call_id=call_id)  # the caller hangs up at 60 s

        async def stored() -> bool:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(Call.__table__))).mappings().all()
            return {r["call_id"] for r in rows if r["ended_at"] is not None} >= {call_id, dial}

        await p.until("both calls in the store", stored)
        events = await p.events()
        async with engine.connect() as conn:
            rows = {
                r["call_id"]: dict(r)
                for r in (await conn.execute(select(Call.__table__))).mappings()
            }
            stored_dial = (
                await conn.execute(
                    select(CallEvent.__table__.c.type, CallEvent.__table__.c.payload).where(
                        CallEvent.__table__.c.call_id == dial
                    )
                )
            ).all()
        [task] = await list_tasks(engine)
    assert ch.name.startswith("PJSIP/trunk-")
    assert [e for e in events if e.type == "command.failed"] == []
    [originate] = p.received("Originate")
    variables = originate.getall("Variable")
    assert f"CC_CALL_ID={dial}" in variables and f"CC_ORIGIN_CALL_ID={call_id}" in variables
    assert f"CC_RING_TIMEOUT_S={RING_S}" in variables
    telephony = [
        e for e in events if e.call_id == dial and e.type in ("call.originated", "call.answered")
    ]
    assert [(e.type, e.agent_id, e.payload["origin_call_id"]) for e in telephony] == [
        ("call.originated", "a2", call_id),
        ("call.answered", "a2", call_id),
    ]
    caller_row, dial_row = rows[call_id], rows[dial]
    assert (caller_row["direction"], caller_row["outcome"]) == ("inbound", "callback")
    assert caller_row["answered_at"] is None and caller_row["agent_id"] is None
    assert (dial_row["direction"], dial_row["outcome"], dial_row["agent_id"]) == (
        "outbound",
        "answered",
        "a2",
    )
    assert dial_row["queue_id"] == "sales" and dial_row["talk_s"] == 20.0
    assert dial_row["caller"] == CUSTOMER
    assert {t for t, _ in stored_dial} >= {"call.queued", "call.originated", "call.answered"}
    missing = [t for t, payload in stored_dial if payload.get("origin_call_id") != call_id]
    assert [t for t in missing if t.startswith("call.")] == [], missing
    assert (task["call_id"], task["source_id"], task["last_outcome"]) == (dial, call_id, "reached")


async def test_a_redis_that_lost_its_data_gets_the_waiting_caller_queued_again(
    redis: aioredis.Redis, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every key of the platform vanishes while a caller waits (Redis restarted without its
    data): the bridge's command group is made again, an error is logged, the bridge asks
    Asterisk for the live calls and publishes the caller's arrival again (the same event id; its
    time is Asterisk's Seconds before the wall clock, which this simulator's manual clock does
    not follow, so only the id is compared); the agent who logs in again is offered the call, once, and takes it."""
    async with platform(redis, prefix) as p:
        p.sim.call_in("5000", "+8613800000001", caller())
        arrived = await p.first("call.arrived")
        await p.sim.advance(5)  # waiting: nobody is logged in
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
        assert keys
        await redis.delete(*keys)  # the test's own prefix only, never FLUSHALL
        again = await p.first("call.arrived", call_id=arrived.call_id)
        await p.actions.login("a2", ready=True)
        answered = await p.first("call.answered", call_id=arrived.call_id)
        events = [e for e in await p.events() if e.call_id == arrived.call_id]
        bridge_losses = [
            r
            for r in caplog.records
            if r.name == "telephony.bridge" and "Redis lost its data" in r.getMessage()
        ]
    assert (again.id, again.payload["caller"]) == (arrived.id, arrived.payload["caller"])
    assert answered.agent_id == "a2"
    assert [e.agent_id for e in events if e.type == "call.offered"] == ["a2"]
    assert [r.levelname for r in bridge_losses] == ["ERROR"]
