"""End to end: the PBX simulator on loopback TCP, the bridge against it, a real Redis, the store
writer into SQLite. More than 200 calls: inbound callers arrive, wait in holding, are connected
by command to an agent (whose phone sometimes never answers: the caller goes back to holding and
is offered again), talk, hang up, wrap up; impatient callers abandon; outbound calls are
originated by command, answered or failed (busy, no answer, congestion).

The test plays the router (``pbx_rig.StandInRouter``). The expected figures come from the
simulator's own view of its channels (``pbx_rig.Oracle``), not from the bridge.

Speed: the simulator's manual clock moves 2 simulated seconds per step; each step costs a few
loopback round trips (see ``pbx_rig``). An earlier version of this test never finished: profiling
showed the loop idle in ``epoll`` with no timer left, because ``asyncio.wait_for`` (Python 3.11)
swallowed the bridge's cancellation at the end of the run; the bridge now uses ``asyncio.timeout``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import (
    SECRET,
    USER,
    Oracle,
    StandInRouter,
    customers_who_answer,
    running_bridge,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.models.core import Call, CallEvent
from store.writer import StoreWriter
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, OutboundProfile, QueueTraffic

pytestmark = pytest.mark.timeout(120)

AGENTS = [str(n) for n in range(1001, 1013)]
STEP_S = 2.0
TALK = (20.0, 60.0)
WRAP = (10.0, 40.0)
OUTBOUND_WRAP_S = 20.0  # the simulator's fixed wrap-up after an outbound call
# Outbound numbers with a fixed behaviour in the simulator (telephony/simulator/traffic.py).
FAILING = {"5550486": "busy", "5550000": "no_answer", "5550503": "congestion"}
N_OUTBOUND = 36  # every third answered, the others fail in turn (busy, no answer, congestion)


def scenario() -> Scenario:
    # 720 calls an hour from 9:40 to 10:00 (about 240), none after: the traffic ends by itself.
    curve = [0.0] * 24
    curve[9] = 720.0
    return Scenario(
        start_hour=9 + 40 / 60,
        queues=[
            QueueTraffic(
                queue="sales",
                did="5000",
                daily_curve=curve,
                patience_s=Dist(kind="exponential", mean=60),
                talk_s=Dist(kind="uniform", low=TALK[0], high=TALK[1]),
                wrap_up_s=Dist(kind="uniform", low=WRAP[0], high=WRAP[1]),
            )
        ],
        agents=[
            AgentPhone(
                agent_id=a,
                answer_delay_s=Dist(kind="uniform", low=1, high=4),
                no_answer_p=0.08,
                hold_p=0.0,
            )
            for a in AGENTS
        ],
        unknown_endpoints_answer=False,
        outbound=OutboundProfile(
            answer_p=1.0,
            busy_p=0.0,
            noanswer_p=0.0,
            congestion_p=0.0,
            ring_s=Dist(kind="uniform", low=2, high=12),
            talk_s=Dist(kind="uniform", low=TALK[0], high=TALK[1]),
        ),
    )


def outbound_plan() -> deque[tuple[str, str]]:
    """(call id, number): one answered call, then one of each failure, in turn."""
    numbers = ["5551234", *FAILING] * (N_OUTBOUND // 4)
    return deque((f"out-{i:03d}", n) for i, n in enumerate(numbers))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_more_than_200_calls_through_bridge_and_store(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> None:
    async with (
        start_simulator(
            scenario=scenario(),
            speed=None,
            seed=11,
            username=USER,
            secret=SECRET,
            epoch_s=1_800_000_000.0,
            timestamp_events=True,
        ) as sim,
        running_bridge(sim, redis, prefix, AGENTS) as rig,
    ):
        oracle = Oracle().attach(sim.engine)
        router = StandInRouter(free=deque(AGENTS))
        to_originate = outbound_plan()
        writer = StoreWriter(redis, engine, rig.streams, consumer="it")
        commands_sent = 0
        next_outbound_s = 30.0
        for step_no in range(5000):
            events = await rig.step(STEP_S)
            router.on_events(events, rig.now_s)
            commands = router.connects(rig.now_s)
            # an outbound call every 30 s or so, when an agent is free
            if to_originate and rig.now_s >= next_outbound_s:
                call_id, number = to_originate[0]
                command = router.originate(call_id, number)
                if command is not None:
                    to_originate.popleft()
                    commands.append(command)
                    next_outbound_s += 30
            if commands:
                commands_sent += len(commands)
                router.on_events(await rig.run_commands(commands), rig.now_s)
            if step_no % 50 == 49:
                await writer.run_once()  # the store follows along, in batches
            if rig.now_s > 1200 and not to_originate and router.idle and not sim.engine.channels:
                break
        else:
            raise AssertionError("traffic did not drain")
        assert not to_originate, "every planned outbound call was originated"
        await writer.run_once()
        assert rig.bridge.bad_frames == 0 and rig.bridge.sessions == 1

    events = rig.events
    callers = oracle.of_kind("caller")
    customers = oracle.of_kind("customer")
    answered_in = [r for r in callers if r.bridged]
    abandoned = [r for r in callers if not r.bridged]
    reached = [r for r in customers if r.outcome == "answer"]
    failed = [r for r in customers if r.outcome != "answer"]
    assert all(r.gone for r in callers + customers)
    assert len(callers) + len(customers) >= 200
    assert len(reached) == N_OUTBOUND // 4 and all(r.bridged for r in reached)
    assert len(abandoned) > 10 and router.unanswered_offers > 0  # the mix the test is about

    # the events stream: exact counts per type, each id once
    assert len({e.id for e in events}) == len(events)
    counts = Counter(e.type for e in events)
    assert counts == {
        "call.arrived": len(callers),
        "call.originated": len(reached),
        "call.answered": len(answered_in) + len(reached),
        "call.abandoned": len(abandoned),
        "call.ended": len(callers) + len(reached),
        "call.failed": len(failed),
        "call.wrapped": len(answered_in) + len(reached),
        "command.succeeded": commands_sent,
    }
    per_call: dict[str, Counter[str]] = {}
    for e in events:
        if e.call_id and e.type.startswith("call."):
            per_call.setdefault(e.call_id, Counter())[e.type] += 1
    assert set(per_call) == {r.call_id for r in callers + customers}
    for r in answered_in:
        assert per_call[r.call_id] == {
            "call.arrived": 1,
            "call.answered": 1,
            "call.ended": 1,
            "call.wrapped": 1,
        }, r
    for r in abandoned:
        assert per_call[r.call_id] == {"call.arrived": 1, "call.abandoned": 1, "call.ended": 1}, r
    failures = {e.call_id: e.payload["reason"] for e in events if e.type == "call.failed"}
    plan = dict(outbound_plan())
    assert failures == {r.call_id: FAILING[plan[r.call_id]] for r in failed}

    # the store: one row per call, with outcomes and plausible times
    async with engine.connect() as conn:
        rows = {r.call_id: r for r in (await conn.execute(select(Call))).all()}
        stored = await conn.scalar(select(func.count()).select_from(CallEvent))
        distinct = await conn.scalar(select(func.count(func.distinct(CallEvent.event_id))))
    assert stored == distinct == len(events)
    assert set(rows) == set(per_call)
    patience = {r.call_id: r.patience_s for r in callers}
    for r in abandoned:
        row = rows[r.call_id]
        assert (row.direction, row.outcome, row.queue_id) == ("inbound", "abandoned", "sales")
        assert row.wait_s == pytest.approx(patience[r.call_id], abs=0.002)  # hung up then
    for r in answered_in:
        row = rows[r.call_id]
        assert (row.outcome, row.queue_id) == ("answered", "sales") and row.agent_id in AGENTS
        assert 0 <= row.wait_s < patience[r.call_id]  # answered before the caller gave up
        assert TALK[0] - 0.002 <= row.talk_s <= TALK[1] + 0.002
        assert WRAP[0] <= row.wrap_s <= WRAP[1] and row.disposition
    for r in reached:
        row = rows[r.call_id]
        assert (row.direction, row.outcome, row.caller) == ("outbound", "answered", "5551234")
        assert TALK[0] - 0.002 <= row.talk_s <= TALK[1] + 0.002
        assert row.wrap_s == OUTBOUND_WRAP_S
    for r in failed:
        row = rows[r.call_id]
        assert row.outcome == FAILING[plan[r.call_id]]
        assert row.answered_at is None and row.talk_s is None


# --- the connection drops mid-call -----------------------------------------------------------


async def _until(predicate: Callable[[], bool]) -> None:
    """Poll a condition the bridge offers no event for (its second login); bounded."""
    async with asyncio.timeout(10):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_drop_mid_call_reconnect_resync_each_call_once_in_store(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> None:
    """Six calls in progress when the TCP connection drops for 20 simulated seconds: A (talking)
    ends and D (holding) gives up while the bridge is away, E arrives meanwhile, B, C and the
    outbound F go on. After the reconnect the bridge resynchronises from ``Status``; in the end
    every call is in the store once, with each of its events once."""
    fixed = {"kind": "fixed"}
    quiet = Scenario(
        queues=[
            QueueTraffic(
                queue="sales",
                did="5000",
                talk_s=Dist(**fixed, mean=100),
                wrap_up_s=Dist(**fixed, mean=10),
                caller_ends_share=1.0,
            )
        ],
        agents=[
            AgentPhone(agent_id=a, answer_delay_s=Dist(**fixed, mean=2), no_answer_p=0, hold_p=0)
            for a in AGENTS[:4]
        ],
        unknown_endpoints_answer=False,
        outbound=customers_who_answer(ring_s=3, talk_s=100),
    )
    # The PBX clock is set so that the disconnection ends about when the bridge comes back:
    # the resynchronisation dates what it finds with the bridge's own clock.
    epoch_s = time.time() - 110
    async with (
        start_simulator(
            scenario=quiet,
            speed=None,
            traffic=False,
            username=USER,
            secret=SECRET,
            epoch_s=epoch_s,
            timestamp_events=True,
        ) as sim,
        running_bridge(sim, redis, prefix, AGENTS[:4]) as rig,
    ):
        writer = StoreWriter(redis, engine, rig.streams, consumer="it")

        def caller(name: str, patience_s: float) -> str:
            device = Device(kind="caller", label="sales", cid_name=name, patience_s=patience_s)
            number = f"+8613800{ord(name[0]):06d}"
            return sim.engine.inbound_call("5000", number, name, device).linkedid

        async def run_to(t_s: float) -> None:
            while rig.now_s < t_s:
                await rig.step(1.0)

        a, b, c = caller("Alice", 1000), caller("Bob", 1000), caller("Carol", 1000)
        d = caller("Dave", 100)
        await run_to(1)
        await rig.command("connect", call_id=a, agent_id="1001")
        await run_to(10)
        await rig.command("originate", call_id="out-F", agent_id="1003", number="5551234")
        await run_to(50)
        await rig.command("connect", call_id=b, agent_id="1002")
        await run_to(90)
        await writer.run_once()
        live = {e.call_id for e in rig.events if e.type == "call.answered"}
        assert live == {a, b, "out-F"}

        await sim.drop_connections()
        e = ""
        while sim.engine.now_s < 110:  # the bridge is away: nothing of this reaches it
            await sim.advance(1.0)
            if sim.engine.now_s == 95:
                e = caller("Erin", 1000)
        await _until(lambda: rig.bridge.sessions == 2 and rig.bridge.connected.is_set())
        resync = await rig.settle()
        assert sorted((x.type, x.call_id or "") for x in resync) == sorted(
            [
                ("telephony.gap", ""),
                ("call.ended", a),  # talking: ended
                ("call.abandoned", d),  # holding: abandoned
                ("call.ended", d),
                ("call.arrived", e),  # arrived while away: queued now, dated back
            ]
        )
        assert all(
            x.payload["reason"] == "gap"
            for x in resync
            if x.type in ("call.ended", "call.abandoned")
        )

        await run_to(115)  # 1001 is out of wrap-up
        await rig.command("connect", call_id=c, agent_id="1004")
        await rig.command("connect", call_id=e, agent_id="1001")
        while sim.engine.channels or rig.now_s < 300:
            await rig.step(2.0)
        await writer.run_once()
        assert rig.bridge.bad_frames == 0

    calls = {a, b, c, d, e, "out-F"}
    # the stream: no event twice
    assert len({x.id for x in rig.events}) == len(rig.events)
    async with engine.connect() as conn:
        rows = {r.call_id: r for r in (await conn.execute(select(Call))).all()}
        per_call_type = Counter(
            (r.call_id, r.type)
            for r in (await conn.execute(select(CallEvent.call_id, CallEvent.type))).all()
            if r.call_id and r.type.startswith("call.")
        )
    assert set(rows) == calls
    talked = {
        "call.arrived": 1,
        "call.answered": 1,
        "call.ended": 1,
        "call.wrapped": 1,
    }
    expected = {
        a: talked,
        b: talked,
        c: talked,
        d: {"call.arrived": 1, "call.abandoned": 1, "call.ended": 1},
        e: talked,
        "out-F": {"call.originated": 1, **{k: n for k, n in talked.items() if k != "call.arrived"}},
    }
    got = {
        call_id: {t: n for (cid, t), n in per_call_type.items() if cid == call_id}
        for call_id in calls
    }
    assert got == expected
    assert {k: rows[k].outcome for k in calls} == {
        a: "answered",
        b: "answered",
        c: "answered",
        d: "abandoned",
        e: "answered",
        "out-F": "answered",
    }
    assert {rows[k].agent_id for k in (a, b, c, e, "out-F")} == {"1001", "1002", "1003", "1004"}
