"""Matching rules as properties: of the pure reference (``queueing.matching``), and of the Lua
scripts on a real Redis checked decision by decision against that reference."""

from __future__ import annotations

import itertools
from typing import Any

from callcenter_testkit.queueing_helpers import Clock, make_settings, routing_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.events import DomainEvent
from queueing.effects import messages
from queueing.matching import ReadyAgent, WaitingCall, best_agent, best_call, can_serve
from queueing.rules import build_plans, call_priority, earliest_step, step_at

SKILLS = ["s0", "s1", "s2", "s3"]
T0_MS = 1_760_000_000_000

levels = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=3)


@st.composite
def queue_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 3))
    queues = []
    for i in range(n):
        steps = []
        for after in sorted(draw(st.sets(st.sampled_from([5, 10, 20]), max_size=2))):
            step: dict[str, Any] = {"after": after}
            if draw(st.booleans()):
                step["min_level"] = draw(st.integers(1, 10))
            if n > 1 and draw(st.booleans()):
                step["overflow"] = [f"q{draw(st.integers(0, n - 1))}"]
            if draw(st.booleans()):
                step["extra_skills"] = draw(
                    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=1)
                )
            steps.append(step)
        queues.append(
            {
                "id": f"q{i}",
                "skills": draw(levels),
                "strategy": draw(st.sampled_from(["longest_idle", "most_skilled", "round_robin"])),
                "priority": draw(st.integers(0, 3)),
                "escalation": steps,
                "wrap_up_s": 0,
                "ring_timeout_s": 300,  # no ring timeout within a scenario
            }
        )
    return queues


agents_st = st.lists(levels, min_size=1, max_size=6)
calls_st = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(["ordinary", "key_account", "vip"]),
        st.integers(0, 3),
        st.integers(0, 30_000),
    ),
    min_size=1,
    max_size=8,
)


# ---- the pure reference --------------------------------------------------------------------


@given(queue_sets(), agents_st, calls_st, st.integers(0, 60_000))
def test_reference_offers_only_eligible_agents_and_the_best_call(
    queues: list[dict[str, Any]],
    agent_skills: list[dict[str, int]],
    calls: list[tuple[int, str, int, int]],
    later_ms: int,
) -> None:
    plans = build_plans(make_settings("p", queues).queues, "default")
    now = T0_MS + 30_000 + later_ms
    agents = [ReadyAgent(f"a{i}", s, T0_MS + i) for i, s in enumerate(agent_skills)]
    waiting = [
        WaitingCall(
            f"c{i}",
            f"q{q % len(queues)}",
            call_priority(plans[f"q{q % len(queues)}"].priority, tier, p),
            T0_MS + off,
        )
        for i, (q, tier, p, off) in enumerate(calls)
    ]
    for call in waiting:
        plan = plans[call.queue_id]
        choice = best_agent(call, agents, plan, now)
        eligible = [a for a in agents if can_serve(a, call, plan, now)]
        if choice is None:
            assert not eligible
            continue
        chosen = next(a for a in agents if a.agent_id == choice.agent_id)
        step = step_at(plan, (now - call.arrived_ms) / 1000)
        first = earliest_step(chosen.skills, plan)
        assert first is not None and first <= step  # never an ineligible agent
        assert choice.candidates == len(eligible)
        if plan.strategy == "longest_idle":
            assert chosen.ready_at_ms == min(a.ready_at_ms for a in eligible)
    for agent in agents:
        choice = best_call(agent, waiting, plans, now)
        servable = [c for c in waiting if can_serve(agent, c, plans[c.queue_id], now)]
        if choice is None:
            assert not servable
            continue
        chosen = next(c for c in waiting if c.call_id == choice.call_id)
        # priority first, then the longest waiting among equal priority
        assert chosen.priority == max(c.priority for c in servable)
        assert chosen.arrived_ms == min(
            c.arrived_ms for c in servable if c.priority == chosen.priority
        )


def test_reference_strategies_by_hand() -> None:
    plans = build_plans(
        make_settings(
            "p",
            [
                {"id": "li", "skills": {"s0": 3}},
                {"id": "ms", "skills": {"s0": 3, "s1": 1}, "strategy": "most_skilled"},
                {"id": "rr", "skills": {"s0": 3}, "strategy": "round_robin"},
            ],
        ).queues,
        "default",
    )
    a = ReadyAgent("a", {"s0": 3, "s1": 1}, T0_MS + 10, {"rr": T0_MS + 500})
    b = ReadyAgent("b", {"s0": 9, "s1": 5}, T0_MS + 20, {"rr": T0_MS + 100})
    c = ReadyAgent("c", {"s0": 9, "s1": 5}, T0_MS + 5)
    d = ReadyAgent("d", {"s0": 2}, T0_MS)  # not eligible anywhere, longest idle of all
    now = T0_MS + 1000

    def pick(q: str) -> str | None:
        choice = best_agent(WaitingCall("x", q, 0, T0_MS + 900), [a, b, c, d], plans[q], now)
        return choice.agent_id if choice else None

    assert pick("li") == "c"  # ready since +5 ms (d is longer idle but lacks s0 >= 3)
    assert pick("ms") == "c"  # b and c have 14 levels; c is idle longer
    assert pick("rr") == "c"  # never offered a call of rr
    assert best_agent(WaitingCall("x", "rr", 0, T0_MS), [a, b], plans["rr"], now).agent_id == "b"  # type: ignore[union-attr]


# ---- the Lua scripts against the reference -----------------------------------------------


def _offers(res: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    if not res.get("fx"):
        return []
    return [
        (m.call_id, m.agent_id, m.payload["step"], m.payload["candidates"])
        for m in messages(res["fx"], 120.0)
        if isinstance(m, DomainEvent) and m.type == "call.offered"
    ]


_examples = itertools.count()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queue_sets(), agents_st, calls_st, st.integers(0, 60_000), st.booleans())
async def test_scripts_decide_as_the_reference(
    redis: Any,
    prefix: str,
    queues: list[dict[str, Any]],
    agent_skills: list[dict[str, int]],
    calls: list[tuple[int, str, int, int]],
    later_ms: int,
    agents_first: bool,
) -> None:
    sub = f"{prefix}x{next(_examples)}"
    # the decisions are read from the scripts' effects (publishing is tested in test_router)
    s = make_settings(sub, queues, publish_in_script=False)
    clock = Clock(T0_MS / 1000)
    routing, actions = routing_for(redis, s, clock)
    await routing.setup()
    plans = routing.plans
    for i, skills in enumerate(agent_skills):
        await actions.login(f"a{i}", skills)
    call_list = [
        WaitingCall(
            f"c{i}",
            f"q{q % len(queues)}",
            call_priority(plans[f"q{q % len(queues)}"].priority, tier, p),
            T0_MS + 100_000 + off,
        )
        for i, (q, tier, p, off) in enumerate(calls)
    ]
    ready: dict[str, ReadyAgent] = {}
    waiting: dict[str, WaitingCall] = {}
    evaluated: dict[str, int] = {}  # call -> step at which it last looked for an agent

    def next_due(call: WaitingCall) -> int | None:
        steps = plans[call.queue_id].steps
        k = evaluated[call.call_id]
        return call.arrived_ms + steps[k + 1].after_s * 1000 if k + 1 < len(steps) else None

    def wait_for_agent(call: WaitingCall, now: int) -> None:
        waiting[call.call_id] = call
        evaluated[call.call_id] = step_at(plans[call.queue_id], (now - call.arrived_ms) / 1000)

    async def tick(now: int) -> None:
        """Escalation timers fire in due order; each escalated call looks for an agent."""
        due = [
            (d, f"esc|{c.call_id}", c)
            for c in waiting.values()
            if (d := next_due(c)) is not None and d <= now
        ]
        expected = []
        for _d, _m, call in sorted(due, key=lambda x: (x[0], x[1])):
            choice = best_agent(call, ready.values(), plans[call.queue_id], now)
            if choice is None:
                wait_for_agent(call, now)
            else:
                expected.append((call.call_id, choice.agent_id, choice.step, choice.candidates))
                del waiting[call.call_id], ready[choice.agent_id]
        got = _offers(await routing.run("default", "tick", 100, now))
        assert got == expected

    async def make_ready(i: int, at_ms: int) -> None:
        clock.t = at_ms / 1000
        await tick(at_ms)
        agent = ReadyAgent(f"a{i}", agent_skills[i], at_ms)
        expected = best_call(agent, waiting.values(), plans, at_ms)
        res = await routing.run(
            "default", "action", {"op": "ready", "agent": f"a{i}", "allowed": ["not_ready"]}, at_ms
        )
        got = _offers(res)
        if expected is None:
            assert got == []
            ready[agent.agent_id] = agent
        else:
            assert got == [(expected.call_id, agent.agent_id, expected.step, expected.candidates)]
            del waiting[expected.call_id]

    async def arrive(call: WaitingCall) -> None:
        clock.t = call.arrived_ms / 1000
        await tick(call.arrived_ms)
        expected = best_agent(call, ready.values(), plans[call.queue_id], call.arrived_ms)
        op = {
            "op": "arrive",
            "call": call.call_id,
            "queue": call.queue_id,
            "prio": call.priority,
            "ts": call.arrived_ms,
        }
        got = _offers(await routing.run("default", "events", [op], call.arrived_ms))
        if expected is None:
            assert got == []
            wait_for_agent(call, call.arrived_ms)
        else:
            assert got == [(call.call_id, expected.agent_id, expected.step, expected.candidates)]
            del ready[expected.agent_id]

    if agents_first:
        for i in range(len(agent_skills)):
            await make_ready(i, T0_MS + 1000 * (len(agent_skills) - i))  # later agents idle longer
        for call in sorted(call_list, key=lambda c: (c.arrived_ms, c.call_id)):
            await arrive(call)
    else:
        for call in sorted(call_list, key=lambda c: (c.arrived_ms, c.call_id)):
            await arrive(call)
        start = T0_MS + 130_000 + later_ms
        for i in range(len(agent_skills)):
            await make_ready(i, start + i)
    # the invariant: no call waits while an agent who may take it is ready
    now = clock.ms + 60_000
    await tick(now)
    for call in waiting.values():
        for agent in ready.values():
            if can_serve(agent, call, plans[call.queue_id], now):
                raise AssertionError(f"{call} waits while {agent} is ready")
