"""The router on a real Redis, driven through the event stream like the bridge drives it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
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
from kernel.events import DomainEvent
from kernel.keys import DomainKeys, StreamNames
from queueing.errors import (
    AgentStateError,
    CallNotWaitingError,
    UnknownAgentError,
    UnknownReasonError,
)
from queueing.service import Router
from queueing.translate import to_ops

QUEUES = [
    {
        "id": "billing",
        "skills": {"billing": 5},
        "wrap_up_s": 10,
        "ring_timeout_s": 15,
        "escalation": [{"after": 0, "min_level": 7}, {"after": 30, "min_level": 4}],
    },
    {
        "id": "general",
        "skills": {"general": 1},
        "wrap_up_s": 0,
        "announce_every_s": 20,
        "ring_timeout_s": 60,
    },
]


@pytest.fixture(params=[False, True], ids=["outbox", "publish_in_script"])
def setup(redis: Any, prefix: str, clock: Clock, request: pytest.FixtureRequest) -> tuple[Any, ...]:
    """Every flow twice: effects published by the router from the outbox, and by the scripts."""
    s = make_settings(
        prefix,
        QUEUES,
        not_ready_reasons=["break", "lunch", "rona"],
        publish_in_script=request.param,
    )
    routing, actions = routing_for(redis, s, clock)
    return s, routing, actions, Router(routing, block_ms=20)


async def commands(redis: Any, prefix: str) -> list[Command]:
    return [Command.from_fields(f) for f in await read_stream(redis, StreamNames(prefix).commands)]


async def events(redis: Any, prefix: str, type_: str | None = None) -> list[dict[str, Any]]:
    out = []
    for f in await read_stream(redis, StreamNames(prefix).events):
        if type_ is None or f["type"] == type_:
            out.append({**f, "payload": json.loads(f["payload"])})
    return out


async def test_call_offered_answered_wrapped_up(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    keys = DomainKeys(prefix, "default")
    async with running(router):
        await actions.login("a1", {"billing": 8}, ready=True)
        await actions.login("a2", {"billing": 9}, ready=False)
        await emit(
            redis,
            prefix,
            "call.arrived",
            call_id="c1",
            at=clock.t,
            payload={
                "direction": "inbound",
                "caller": "+861",
                "dialled": "100",
                "queue": "billing",
            },
        )

        async def connected() -> bool:
            return any(c.kind == "connect" for c in await commands(redis, prefix))

        await eventually(connected)
        [cmd] = await commands(redis, prefix)
        # telephony rings the agent for the queue's ring timeout, as long as the offer lasts
        assert cmd.args == {"call_id": "c1", "agent_id": "a1", "ring_timeout_s": 15}
        assert cmd.id == "c1|connect|1"
        [offered] = await events(redis, prefix, "call.offered")
        assert offered["agent_id"] == "a1"
        # why: the step, the rule, how many could have taken it, what triggered the decision
        assert offered["payload"] | {"wait_ms": 0} == {
            "queue": "billing",
            "offer": 1,
            "step": 0,
            "rule": "longest_idle",
            "candidates": 1,
            "trigger": "call_arrived",
            "wait_ms": 0,
        }
        assert (await redis.hget(keys.agent("a1"), "state")) == "offered"

        clock.advance(4)
        await emit(redis, prefix, "call.answered", call_id="c1", agent_id="a1", at=clock.t)

        async def on_call() -> bool:
            return (await redis.hget(keys.agent("a1"), "state")) == "on_call"

        await eventually(on_call)
        with pytest.raises(AgentStateError) as err:
            await actions.ready("a1")
        assert err.value.state == "on_call" and err.value.agent_id == "a1"

        clock.advance(60)
        await emit(redis, prefix, "call.ended", call_id="c1", at=clock.t, payload={"by": "caller"})

        async def wrapping() -> bool:
            return (await redis.hget(keys.agent("a1"), "state")) == "wrap_up"

        await eventually(wrapping)
        assert await actions.extend_wrap_up("a1", 5) == "wrap_up"
        clock.advance(10)
        await router.tick_once()
        assert (await redis.hget(keys.agent("a1"), "state")) == "wrap_up"  # extended to 15 s
        clock.advance(5)
        await router.tick_once()
        assert (await redis.hget(keys.agent("a1"), "state")) == "ready"
    # in the order the scripts made them (seq); the same id twice is one event published again
    # (the test's clock jumps past outbox leases while a router is still publishing)
    changes = {
        e["id"]: e["payload"]
        for e in await events(redis, prefix, "agent.state")
        if e["agent_id"] == "a1"
    }
    states = [p["state"] for p in sorted(changes.values(), key=lambda p: p["seq"])]
    assert states == ["ready", "offered", "on_call", "wrap_up", "ready"]
    [billing, _general] = await routing.read_stats()
    assert billing.day is not None and billing.day.offered == 1 and billing.day.answered == 1
    assert billing.day.service_level_pct == 100.0 and billing.day.asa_s == 4.0
    assert billing.day.handle_s == 75.0  # 60 s talk + 15 s wrap-up
    assert billing.agents == {"ready": 1, "not_ready": 1}


async def test_ring_no_answer_keeps_the_place(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    keys = DomainKeys(prefix, "default")
    await routing.setup()
    await actions.login("a1", {"billing": 8}, ready=True)
    await actions.login("a2", {"billing": 8})
    t0 = clock.ms
    await routing.run(
        "default",
        "events",
        [{"op": "arrive", "call": "c1", "queue": "billing", "prio": 0, "ts": t0}],
        t0,
    )
    await routing.run(
        "default",
        "events",
        [{"op": "arrive", "call": "c2", "queue": "billing", "prio": 0, "ts": t0 + 1000}],
        t0 + 1000,
    )
    await router.tick_once(t0 + 14_999)
    assert (await redis.hget(keys.agent("a1"), "state")) == "offered"
    await router.tick_once(t0 + 15_000)  # ring timeout
    a1 = await redis.hgetall(keys.agent("a1"))
    assert (a1["state"], a1["reason"]) == ("not_ready", "rona")
    [rona] = await events(redis, prefix, "agent.rona")
    assert (rona["agent_id"], rona["call_id"]) == ("a1", "c1")
    assert [c.kind for c in await commands(redis, prefix)] == ["connect", "return_to_hold"]
    clock.t = (t0 + 16_000) / 1000
    await actions.ready("a2")  # c1 is still ahead of c2
    assert (await redis.hget(keys.agent("a2"), "call")) == "c1"
    # a2 took c1 the moment it became ready: never in a ready set, but both states published
    assert await redis.zscore(keys.ready("billing", 0), "a2") is None
    a2_states = [
        e["payload"]["state"]
        for e in await events(redis, prefix, "agent.state")
        if e["agent_id"] == "a2"
    ]
    assert a2_states[-2:] == ["ready", "offered"]
    offered = await events(redis, prefix, "call.offered")
    assert [(e["agent_id"], e["payload"]["offer"], e["payload"]["trigger"]) for e in offered] == [
        ("a1", 1, "call_arrived"),
        ("a2", 2, "agent_ready"),
    ]


async def feed(
    routing: Any, type_: str, call_id: str, agent_id: str | None = None, **payload: Any
) -> None:
    """One telephony event as the router handles it: its ops run, their effects published."""
    event = DomainEvent(
        id=f"{type_}:{call_id}:{agent_id}",
        ts=datetime.fromtimestamp(routing.now_ms() / 1000, UTC),
        type=type_,
        call_id=call_id,
        agent_id=agent_id,
        payload=payload,
    )
    results = [
        await routing.run(domain, "events", [op])
        for domain, op in to_ops(event, routing.plans, routing.agent_domain, routing.domains)
    ]
    await routing.publish(results)


async def test_unreachable_agent_ends_the_offer_at_once(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    """The agent's phone could not be dialled (``call.connect_failed``, e.g. CHANUNAVAIL): the
    offer ends now, not at the ring timeout; the agent goes not ready ``unreachable`` and the
    next agent is offered the call. No return_to_hold: the dialplan already sent it back."""
    _s, routing, actions, _router = setup
    keys = DomainKeys(prefix, "default")
    await routing.setup()
    await actions.login("a1", {"billing": 8}, ready=True)
    clock.advance(1)
    await actions.login("a2", {"billing": 8}, ready=True)
    t0 = clock.ms
    op = {"op": "arrive", "call": "c1", "queue": "billing", "prio": 0, "ts": t0}
    await routing.publish([await routing.run("default", "events", [op], t0)])
    assert await redis.hget(keys.call("c1"), "agent") == "a1"  # the longest idle
    clock.advance(0.002)
    await feed(routing, "call.connect_failed", "c1", "a1", dial_status="CHANUNAVAIL")
    a1 = await redis.hgetall(keys.agent("a1"))
    assert (a1["state"], a1["reason"], a1["call"]) == ("not_ready", "unreachable", "")
    assert (await redis.hget(keys.call("c1"), "agent")) == "a2"
    offered = await events(redis, prefix, "call.offered")
    assert [(e["agent_id"], e["payload"]["offer"], e["payload"]["trigger"]) for e in offered] == [
        ("a1", 1, "call_arrived"),
        ("a2", 2, "requeue"),
    ]
    assert [(c.kind, c.args["agent_id"]) for c in await commands(redis, prefix)] == [
        ("connect", "a1"),
        ("connect", "a2"),
    ]
    timers = await redis.zrange(keys.timers, 0, -1)
    assert "ring|c1|1" not in timers and "ring|c1|2" in timers
    assert await events(redis, prefix, "agent.rona") == []
    # the same news again (a replay) changes nothing: the offer to a2 stands
    await feed(routing, "call.connect_failed", "c1", "a1", dial_status="CHANUNAVAIL")
    assert (await redis.hget(keys.agent("a2"), "state")) == "offered"
    assert len(await events(redis, prefix, "call.offered")) == 2


async def test_offer_that_goes_away_frees_the_agent_and_its_dashboard(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    """The caller hangs up while the agent's phone rings: the agent is ready again and its hash
    no longer names the call (the agent page shows the call the hash names)."""
    _s, routing, actions, _router = setup
    keys = DomainKeys(prefix, "default")
    await routing.setup()
    await actions.login("a1", {"billing": 8}, ready=True)
    t0 = clock.ms
    op = {"op": "arrive", "call": "c1", "queue": "billing", "prio": 0, "ts": t0}
    await routing.publish([await routing.run("default", "events", [op], t0)])
    assert (await redis.hget(keys.agent("a1"), "call")) == "c1"
    clock.advance(3)
    await feed(routing, "call.abandoned", "c1", queue="billing", wait_s=3.0)
    a1 = await redis.hgetall(keys.agent("a1"))
    assert (a1["state"], a1["call"]) == ("ready", "")


async def test_outbound_customer_on_the_line_is_connected_not_dialled_again(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    """A callback's customer answered (``call.originated``), then the reserved agent's phone
    could not be dialled: the next agent gets a ``connect`` of the customer who is on the line,
    not a second originate; at that offer's ring timeout the customer goes back to holding."""
    _s, routing, actions, router = setup
    keys = DomainKeys(prefix, "default")
    await routing.setup()
    t0 = clock.ms
    op = {"op": "arrive", "call": "c1", "queue": "general", "prio": 0, "ts": t0}
    await routing.run("default", "events", [op], t0)
    dial = (await actions.request_callback("c1", "+8613800000000")).dial_call_id
    await actions.login("a1", {"general": 1}, ready=True)
    clock.advance(5)
    await feed(routing, "call.originated", dial, "a1", direction="outbound", origin_call_id="c1")
    await feed(routing, "call.connect_failed", dial, "a1", dial_status="CHANUNAVAIL")
    await actions.login("a2", {"general": 1}, ready=True)
    assert [(c.kind, c.args) for c in await commands(redis, prefix)] == [
        (
            "originate",
            {
                "call_id": dial,
                "agent_id": "a1",
                "number": "+8613800000000",
                "origin_call_id": "c1",
                "ring_timeout_s": 60,
            },
        ),
        ("connect", {"call_id": dial, "agent_id": "a2", "ring_timeout_s": 60}),
    ]
    await router.tick_once(clock.ms + 60_000)  # a2's phone rang out: the customer holds again
    kinds = [(c.kind, c.args["call_id"]) for c in await commands(redis, prefix)]
    assert kinds[-1] == ("return_to_hold", dial)
    assert (await redis.hget(keys.call(dial), "state")) == "waiting"


async def test_escalation_at_its_second(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    await routing.setup()
    await actions.login("junior", {"billing": 4}, ready=True)  # eligible from 30 s on
    t0 = clock.ms
    await routing.run(
        "default",
        "events",
        [{"op": "arrive", "call": "c1", "queue": "billing", "prio": 0, "ts": t0}],
        t0,
    )
    await router.tick_once(t0 + 29_999)
    assert await events(redis, prefix, "call.offered") == []
    await router.tick_once(t0 + 30_000)
    [offered] = await events(redis, prefix, "call.offered")
    assert offered["agent_id"] == "junior"
    assert offered["payload"]["step"] == 1 and offered["payload"]["trigger"] == "escalation"


async def test_abandons_and_service_level(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    await routing.setup()
    t0 = clock.ms
    run = routing.run
    for i in range(4):
        await run(
            "default",
            "events",
            [{"op": "arrive", "call": f"c{i}", "queue": "general", "prio": 0, "ts": t0}],
            t0,
        )
    await run(
        "default",
        "events",
        [{"op": "gone", "call": "c0", "kind": "abandoned", "ts": t0 + 3000}],
        t0 + 3000,
    )  # short
    await run(
        "default",
        "events",
        [{"op": "gone", "call": "c1", "kind": "abandoned", "ts": t0 + 40_000}],
        t0 + 40_000,
    )
    await actions.login("a1", {"general": 2})
    clock.t = (t0 + 10_000) / 1000
    await actions.ready("a1")  # takes c2 after 10 s
    await run(
        "default",
        "events",
        [{"op": "answer", "call": "c2", "agent": "a1", "ts": t0 + 12_000}],
        t0 + 12_000,
    )
    await run(
        "default",
        "events",
        [{"op": "gone", "call": "c2", "kind": "ended", "ts": t0 + 50_000}],
        t0 + 50_000,
    )
    # wrap_up_s = 0: ready at once, takes c3 (waited 50 s: outside the 20 s target)
    await run(
        "default",
        "events",
        [{"op": "answer", "call": "c3", "agent": "a1", "ts": t0 + 51_000}],
        t0 + 51_000,
    )
    stats = {q.queue_id: q for q in await routing.read_stats(t0 + 60_000)}
    g = stats["general"]
    assert g.waiting == 0 and g.agents == {"on_call": 1}
    assert g.day is not None and g.last_15m is not None
    assert (g.day.offered, g.day.answered, g.day.abandoned) == (4, 2, 2)
    # answered within 20 s: 1; denominator: 2 answered + 1 abandon (the short one never counts)
    assert g.day.service_level_pct == pytest.approx(100 / 3)
    assert g.day.asa_s == pytest.approx((12 + 51) / 2)
    assert g.last_15m.answered == 2
    assert (await routing.read_stats(t0 + 3_600_000))[1].last_30m.answered == 0  # type: ignore[union-attr]


async def test_agent_action_errors(redis: Any, prefix: str, clock: Clock, setup: tuple) -> None:
    _s, routing, actions, _router = setup
    await routing.setup()
    with pytest.raises(UnknownAgentError):
        await actions.login("nobody")
    await actions.login("a1", {"general": 1})
    with pytest.raises(AgentStateError) as err:
        await actions.login("a1", {"general": 1})
    assert err.value.state == "not_ready"
    with pytest.raises(UnknownReasonError) as reason_err:
        await actions.not_ready("a1", "nap")
    assert reason_err.value.reason == "nap"
    assert await actions.not_ready("a1", "lunch") == "not_ready"
    with pytest.raises(AgentStateError):
        await actions.end_wrap_up("a1")
    with pytest.raises(CallNotWaitingError):
        await actions.request_callback("no-such-call", "+8613800000000")
    assert await actions.logout("a1") == "logged_out"
    with pytest.raises(AgentStateError) as err:
        await actions.ready("a1")
    assert err.value.state == "logged_out"


async def test_callback_in_queue(redis: Any, prefix: str, clock: Clock, setup: tuple) -> None:
    _s, routing, actions, _router = setup
    await routing.setup()
    t0 = clock.ms
    await routing.run(
        "default",
        "events",
        [{"op": "arrive", "call": "c1", "queue": "general", "prio": 0, "ts": t0}],
        t0,
    )
    callback = await actions.request_callback("c1", "+8613800000000")
    assert (callback.queue_id, callback.dial_call_id) == ("general", "c1-cb")
    # the dial takes the caller's place in line: same wait set and score, same arrival
    keys = routing.keys("default")
    assert await redis.zrange(keys.waiting("general", 0), 0, -1, withscores=True) == [
        ("c1-cb", float(await redis.hget(keys.call("c1-cb"), "score")))
    ]
    assert await redis.hget(keys.call("c1-cb"), "arrived") == str(t0)
    assert await redis.hget(keys.call("c1"), "state") == "callback"
    # the caller hangs up: the callback keeps the place, no abandon is counted
    await routing.run(
        "default",
        "events",
        [{"op": "gone", "call": "c1", "kind": "abandoned", "ts": t0 + 5000}],
        t0 + 5000,
    )
    await actions.login("a1", {"general": 1}, ready=True)
    originate = [c for c in await commands(redis, prefix) if c.kind == "originate"]
    assert [c.args for c in originate] == [
        {
            "call_id": "c1-cb",
            "agent_id": "a1",
            "number": "+8613800000000",
            "origin_call_id": "c1",
            "ring_timeout_s": 60,  # the queue's ring timeout
        }
    ]
    [scheduled] = await events(redis, prefix, "outbound.scheduled")
    assert scheduled["call_id"] == "c1"
    assert scheduled["payload"]["kind"] == "callback_in_queue"
    assert scheduled["payload"]["dial_call_id"] == "c1-cb"
    queued = [e for e in await events(redis, prefix, "call.queued") if e["call_id"] == "c1-cb"]
    assert [e["payload"]["origin_call_id"] for e in queued] == ["c1"]
    [offered] = await events(redis, prefix, "call.offered")
    assert (offered["call_id"], offered["payload"]["origin_call_id"]) == ("c1-cb", "c1")
    general = (await routing.read_stats())[1]
    assert general.day is not None and general.day.abandoned == 0
    with pytest.raises(CallNotWaitingError):
        await actions.request_callback("c1", "+8613800000000")


async def test_announcements_carry_position_and_expected_wait(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    await routing.setup()
    await actions.login("a1", {"general": 1})
    await actions.login("a2", {"general": 1})
    await actions.ready("a1")
    t0 = clock.ms
    for i in range(3):  # c0 goes to a1, c1 and c2 wait
        await routing.run(
            "default",
            "events",
            [{"op": "arrive", "call": f"c{i}", "queue": "general", "prio": 0, "ts": t0 + i}],
            t0 + i,
        )
    await router.tick_once(t0 + 20_002)
    ann = sorted(
        (c.args["call_id"], c.args["position"], c.args["wait_s"])
        for c in await commands(redis, prefix)
        if c.kind == "announce"
    )
    # one agent serving (a1 offered; a2 not ready), no handle time known yet: 180 s per call ahead
    assert ann == [("c1", 1, 180), ("c2", 2, 360)]


async def test_a_failing_op_is_reported_and_the_batch_goes_on(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, _router = setup
    await routing.setup()
    t0 = clock.ms
    res = await routing.run(
        "default",
        "events",
        [
            {"op": "arrive", "call": "c1", "queue": "general", "prio": 0, "ts": t0},
            {"op": "no_such_op", "call": "c2"},
            {"op": "arrive", "call": "c3", "queue": "general", "prio": 0, "ts": t0},
        ],
        t0,
    )
    assert [(e["op"], e["call"]) for e in res["errors"]] == [("no_such_op", "c2")]
    assert await redis.zcard(DomainKeys(prefix, "default").in_queue("general")) == 2


async def test_translated_answer_without_agent_uses_the_offered_agent(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    _s, routing, actions, router = setup
    keys = DomainKeys(prefix, "default")
    async with running(router):
        await actions.login("a1", {"general": 1}, ready=True)
        await emit(
            redis, prefix, "call.arrived", call_id="c1", at=clock.t, payload={"queue": "general"}
        )
        await emit(redis, prefix, "call.answered", call_id="c1", at=clock.t + 1)  # no agent_id

        async def on_call() -> bool:
            return await redis.hget(keys.agent("a1"), "state") == "on_call"

        await eventually(on_call)


async def test_routers_do_not_read_their_own_events_back(
    redis: Any, prefix: str, clock: Clock, setup: tuple
) -> None:
    s, routing, actions, _router = setup
    streams = StreamNames(prefix)
    group = s.routing.consumer_group
    await redis.xgroup_create(streams.events, group, id="$", mkstream=True)
    await redis.xgroup_create(streams.events, "store-writer", id="$")
    await routing.setup()
    await actions.login("a1", {"billing": 8}, ready=True)  # the group had read everything
    assert await redis.xreadgroup(group, "r1", {streams.events: ">"}) == []
    assert [e["type"] for e in await events(redis, prefix)] == ["agent.logged_in", "agent.state"]
    # the group lags behind (a bridge event not read yet): the router's events are delivered too
    await emit(redis, prefix, "call.held", call_id="c9", at=clock.t)
    await actions.not_ready("a1", "break")
    [(_stream, entries)] = await redis.xreadgroup(group, "r1", {streams.events: ">"})
    assert [f["type"] for _id, f in entries] == ["call.held", "agent.state"]
    # other groups (the store writer) get every event
    [(_stream, everything)] = await redis.xreadgroup("store-writer", "w1", {streams.events: ">"})
    assert [f["type"] for _id, f in everything] == [
        "agent.logged_in",
        "agent.state",
        "call.held",
        "agent.state",
    ]


async def test_a_manual_dial_returns_the_agent_to_not_ready_for_their_reason(
    redis: Any, clock: Clock, setup: tuple
) -> None:
    """An agent dials by hand while not ready (``md-`` calls have no queue): when the call ends
    they are not ready again for the reason they had, not offered the next caller; an agent who
    was ready for an unqueued call (an outbound dial) is ready again as before."""
    _s, routing, actions, _router = setup
    await routing.setup()
    await actions.login("a1", {"billing": 8})
    await actions.not_ready("a1", "lunch")
    await actions.dialling("a1", "md-a1-1", 60)
    with pytest.raises(AgentStateError):  # its call is about to ring
        await actions.ready("a1")
    await feed(routing, "call.originated", "md-a1-1", "a1", direction="outbound")
    await feed(routing, "call.answered", "md-a1-1", "a1")
    assert (await actions.state("a1"))["state"] == "on_call"
    assert (await actions.state("a1"))["dial"] == ""  # answered: no dial pending
    await feed(routing, "call.ended", "md-a1-1", "a1", by="customer")
    state = await actions.state("a1")
    assert (state["state"], state["reason"], state["call"]) == ("not_ready", "lunch", "")

    await actions.ready("a1")
    await feed(routing, "call.answered", "ob-1", "a1")
    await feed(routing, "call.ended", "ob-1", "a1", by="customer")
    assert (await actions.state("a1"))["state"] == "ready"
