"""200 return visits end to end: PBX simulator over loopback TCP, the AMI bridge, the router and
the outbound scheduler on a real Redis, tasks in a real database.

Customers answer, are busy or do not answer (the simulator draws it per call). Checked:

- every task ends with an outcome (busy / no answer only after the last attempt);
- no task is dialled twice at once: one originate per attempt, and attempt n + 1 is only
  dialled after attempt n ended;
- customer calls in progress in the PBX never outnumber the agents the router has reserved
  (sampled all along: a channel seen alive before and after a read of the agent counters must
  have its agent counted in it);
- the router is killed mid-run and a new one started (and the scheduler too): nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from customers.records import CustomerRecord
from customers.records_store import write_customers
from kernel.cancellation import still_running
from kernel.commands import Command
from kernel.keys import DomainKeys, StreamNames
from kernel.settings import Settings
from outbound.scheduler import OutboundScheduler
from outbound.tasks import OutboundConfig, parse_call_id
from outbound.tasks_store import record_sale
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router
from store.models.customers import OutboundAttempt, OutboundTask
from telephony.bridge import Bridge
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.traffic import AgentPhone, Dist, OutboundProfile

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

TASKS = 200
AGENTS = [f"a{n}" for n in range(1, 9)]


def settings_for(prefix: str, port: int) -> Settings:
    return Settings.model_validate(
        {
            "redis_prefix": prefix,
            "timezone": "UTC",
            "ami": {
                "host": "127.0.0.1",
                "port": port,
                "username": "cc",
                "secret": "ccsecret",
                "originate_timeout_s": 20,
            },
            "routing": {"offer_lease_s": 1.0, "tick_ms": 20},
            "queues": [{"id": "care", "skills": {"care": 1}, "wrap_up_s": 0, "ring_timeout_s": 15}],
            "agents": [{"id": a, "skills": {"care": 1}} for a in AGENTS],
            "outbound": {
                "queue": "care",
                "retry_delay_min": 0.02,  # 1.2 s
                "max_attempts": 3,
                "call_from": "00:00",  # the whole day: the test runs at any hour
                "call_until": "00:00",
            },
        }
    )


SCENARIO = Scenario(
    queues=[],
    agents=[
        AgentPhone(
            agent_id=a, no_answer_p=0.0, hold_p=0.0, answer_delay_s=Dist(kind="fixed", mean=1)
        )
        for a in AGENTS
    ],
    outbound=OutboundProfile(
        answer_p=0.5,
        busy_p=0.25,
        noanswer_p=0.25,
        congestion_p=0.0,
        ring_s=Dist(kind="uniform", low=1, high=4),
        talk_s=Dist(kind="uniform", low=10, high=30),
    ),
)


class Monitor:
    """Samples PBX customer channels against the router's reserved agents."""

    def __init__(self, sim: Any, redis: Any, keys: DomainKeys) -> None:
        self.sim, self.redis, self.keys = sim, redis, keys
        self.samples = 0
        self.max_in_progress = 0
        self.violations: list[tuple[int, int]] = []

    def customer_channels(self) -> set[str]:
        return {
            name
            for name, ch in self.sim.engine.channels.items()
            if ch.alive and ch.device is not None and ch.device.kind == "customer"
        }

    async def reserved_agents(self) -> int:
        """Agents the router has reserved for a call (offered or on a call), from their hashes."""
        agent_ids = await self.redis.smembers(self.keys.agents)
        pipe = self.redis.pipeline(transaction=False)
        for agent_id in agent_ids:
            pipe.hget(self.keys.agent(agent_id), "state")
        states = await pipe.execute()
        return sum(1 for s in states if s in ("offered", "on_call"))

    async def run(self) -> None:
        while True:
            before = self.customer_channels()
            reserved = await self.reserved_agents()
            during = before & self.customer_channels()
            self.samples += 1
            self.max_in_progress = max(self.max_in_progress, len(during))
            if len(during) > reserved:
                self.violations.append((len(during), reserved))
            still_running()  # redis-py may have swallowed the cancellation (kernel.cancellation)
            await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def background(coro: Any, name: str, stop_s: float = 10.0) -> Any:
    """Run a piece for the block; cancelled at its end, it must stop within ``stop_s`` (a
    piece that ignores its cancellation fails the test by name instead of hanging it)."""
    task = asyncio.create_task(coro, name=name)
    try:
        yield task
    finally:
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=stop_s)
        if not done:
            raise AssertionError(f"{name} did not stop within {stop_s} s of being cancelled")
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_for(check: Any, timeout_s: float, what: str, *watch: asyncio.Task) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        for t in watch:
            if t.done():
                t.result()  # a crashed piece fails the test with its own error
                raise AssertionError(f"{t.get_name()} stopped")
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout_s} s: {what}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the store code is shared
async def test_two_hundred_return_visits(db_url, engine, redis, prefix) -> None:
    async with start_simulator(
        scenario=SCENARIO, speed=120.0, seed=7, username="cc", secret="ccsecret", traffic=False
    ) as sim:
        settings = settings_for(prefix, sim.port)
        keys = DomainKeys(prefix, "default")
        config = OutboundConfig.from_settings(settings)

        # 200 customers, each with a sale: 200 return visits due now
        now = datetime.now(UTC)
        records = [
            CustomerRecord(
                f"c{i:03d}",
                f"Customer {i}",
                (f"+86139{i:08d}",),
                tier=("vip", "key_account", "ordinary")[i % 3],
            )
            for i in range(TASKS)
        ]
        async with engine.begin() as conn:
            await write_customers(conn, records, now, "UTC")
        for i in range(TASKS):
            await record_sale(
                engine,
                sale_id=f"s{i}",
                customer_id=f"c{i:03d}",
                sold_at=now,
                now=now,
                config=config,
            )

        bridge = Bridge(settings, redis, initial_backoff_s=0.01)
        router_routing = Routing(redis, settings)
        actions = AgentActions(router_routing)
        monitor = Monitor(sim, redis, keys)

        async def done_count() -> int:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(OutboundTask.status))).scalars().all()
            return sum(1 for s in rows if s == "done")

        async with (
            background(bridge.run(), "bridge") as bridge_task,
            background(
                Router(router_routing, consumer="router-1", block_ms=20).run(), "router-1"
            ) as router_task,
            background(monitor.run(), "monitor") as monitor_task,
        ):
            await asyncio.wait_for(bridge.connected.wait(), 10)
            await router_routing.setup()
            for a in AGENTS:
                await actions.login(a, ready=True)
            scheduler = OutboundScheduler(
                engine,
                Routing(redis, settings),
                config,
                consumer="ob-1",
                poll_s=0.05,
                stale_s=5,
                block_ms=20,
                claim_idle_ms=1000,
            )
            async with background(scheduler.run(), "outbound-1") as sched_task:

                async def some_done() -> bool:
                    return await done_count() >= TASKS // 5

                await wait_for(
                    some_done, 60, "a fifth of the tasks done", bridge_task, router_task, sched_task
                )
            # kill the router (and the scheduler) mid-run, start new ones
            assert await done_count() < TASKS, "the run ended before the router was killed"
            router_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await router_task
            await asyncio.sleep(0.3)
            scheduler2 = OutboundScheduler(
                engine,
                Routing(redis, settings),
                config,
                consumer="ob-2",
                poll_s=0.05,
                stale_s=5,
                block_ms=20,
                claim_idle_ms=1000,
            )
            async with (
                background(
                    Router(Routing(redis, settings), consumer="router-2", block_ms=20).run(),
                    "router-2",
                ) as router2,
                background(scheduler2.run(), "outbound-2") as sched2,
            ):

                async def all_done() -> bool:
                    return await done_count() == TASKS

                await wait_for(
                    all_done, 150, f"{TASKS} tasks done", bridge_task, router2, sched2, monitor_task
                )

                async def agents_ready() -> bool:
                    states = [(await actions.state(a)).get("state") for a in AGENTS]
                    return states == ["ready"] * len(AGENTS)

                await wait_for(agents_ready, 10, "every agent ready again", router2)

    # --- every task ended with an outcome ------------------------------------------------------
    async with engine.connect() as conn:
        tasks = (await conn.execute(select(OutboundTask.__table__))).mappings().all()
        attempts = (await conn.execute(select(OutboundAttempt.__table__))).mappings().all()
    outcomes = Counter(t["outcome"] for t in tasks)
    assert set(outcomes) <= {"reached", "busy", "no_answer"}
    assert outcomes["reached"] > 0 and outcomes["busy"] + outcomes["no_answer"] > 0
    for t in tasks:
        assert t["status"] == "done"
        if t["outcome"] != "reached":
            assert t["attempts"] == 3, t  # busy / no answer only after the last attempt
    attempt_outcomes = Counter(a["outcome"] for a in attempts)
    assert None not in attempt_outcomes
    assert attempt_outcomes["busy"] > 0 and attempt_outcomes["no_answer"] > 0
    assert len(attempts) == sum(t["attempts"] for t in tasks)

    # --- no task dialled twice at once -----------------------------------------------------------
    streams = StreamNames(prefix)
    originates = [
        (entry_id, Command.from_fields(f))
        for entry_id, f in await redis.xrange(streams.commands)
        if f.get("kind") == "originate"
    ]
    per_call = Counter(c.args["call_id"] for _, c in originates)
    assert max(per_call.values()) == 1, [c for c, n in per_call.items() if n > 1]
    assert len(per_call) == len(attempts)
    ended_at: dict[str, str] = {}
    for entry_id, f in await redis.xrange(streams.events):
        if f["type"] in ("call.failed", "call.ended") and f["call_id"] not in ended_at:
            ended_at[f["call_id"]] = entry_id
    dialled: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entry_id, c in originates:
        parsed = parse_call_id(c.args["call_id"])
        assert parsed is not None
        dialled[parsed[0]].append((parsed[1], entry_id))

    def sid(entry_id: str) -> tuple[int, int]:
        ms, _, seq = entry_id.partition("-")
        return int(ms), int(seq)

    for task_id, seq in dialled.items():
        seq.sort()
        assert [n for n, _ in seq] == list(range(1, len(seq) + 1))
        for (n, _), (_, next_dial) in zip(seq, seq[1:], strict=False):
            previous_end = ended_at[f"ob-{task_id}-{n}"]
            assert sid(previous_end) < sid(next_dial), task_id

    # --- calls in progress never exceeded the reserved agents -----------------------------------
    assert monitor.samples > 100
    assert monitor.violations == []
    assert 1 <= monitor.max_in_progress <= len(AGENTS)
