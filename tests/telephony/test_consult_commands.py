"""Warm transfer and conference through the bridge against the PBX simulator over TCP: the AMI
actions the simulator receives (Setvar CC_CONSULT + Atxfer, then Hangup or PlayDTMF Receive) and
the domain events that come back (consult started / ended, transferred, conferenced)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import Rig, manual_pbx, running_bridge

from telephony.simulator import Scenario
from telephony.simulator.traffic import SHIPPED_ATXFER_CODE, AgentPhone, Dist, QueueTraffic
from telephony.translator import CallState

from .test_bridge_commands import calls, channel, connected_call, outcomes, sent_since, steps

pytestmark = pytest.mark.timeout(60)

AGENTS = ["1001", "1002"]
CONSULT = {"target": "agent:1002", "target_kind": "agent", "target_id": "1002"}
TRANSFERRED = (
    "call.transferred",
    "1002",
    {"kind": "attended", "from_agent_id": "1001", "target": "agent:1002"},
)


@pytest.fixture
async def rig(redis: aioredis.Redis, prefix: str) -> AsyncIterator[Rig]:
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000", talk_s=Dist(kind="fixed", mean=300))],
        agents=[
            AgentPhone(
                agent_id=a, answer_delay_s=Dist(kind="fixed", mean=2), no_answer_p=0, hold_p=0
            )
            for a in AGENTS
        ],
        unknown_endpoints_answer=False,
        atxfer_code=SHIPPED_ATXFER_CODE,
    )
    async with manual_pbx(scenario) as sim, running_bridge(sim, redis, prefix, AGENTS) as r:
        yield r


def live_call(rig: Rig, call_id: str) -> CallState:
    call = rig.bridge.state.call_by_id(call_id)
    assert call is not None
    return call


async def consulting(rig: Rig) -> tuple[str, list]:
    """1001 talks to Alice, then consults 1002 (who answers): the call id and the events."""
    call_id, caller, agent = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command("consult", call_id=call_id, target="agent:1002")
    # the target's digits are complete after features.conf's transferdigittimeout (3 s; the
    # cc-consult pattern can grow), then 1002's phone rings 2 s
    events += await steps(rig, 7)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Setvar"),
            ("Channel", caller.name),
            ("Variable", "CC_CONSULT"),
            ("Value", "agent:1002"),
        ],
        [
            ("Action", "Atxfer"),
            ("Channel", agent.name),
            ("Exten", "1002"),
            ("Context", "cc-consult"),
        ],
    ]
    assert outcomes(events) == [("command.succeeded", "consult")]
    assert calls(events) == [
        ("call.held", "1001", {}),
        ("call.consult_started", "1001", CONSULT),
    ]
    target = channel(rig, "PJSIP/1002-")
    assert caller.moh_on and target.bridge is not None
    return call_id, events


async def act(rig: Rig, kind: str, call_id: str) -> tuple[list, list]:
    """Send one command and let a second pass: the actions the PBX got, the call events."""
    mark = len(rig.sim.received)
    events = await rig.command(kind, call_id=call_id) + await steps(rig, 1)
    assert outcomes(events) == [("command.succeeded", kind)]
    return sent_since(rig, mark), calls(events)


async def test_consult_then_complete_the_transfer(rig: Rig) -> None:
    call_id, _ = await consulting(rig)
    caller = rig.sim.engine.find_channel(live_call(rig, call_id).customer_channel)
    agent_leg = channel(rig, "PJSIP/1001-")
    sent, events = await act(rig, "consult_complete", call_id)
    assert sent == [[("Action", "Hangup"), ("Channel", agent_leg.name), ("Cause", "16")]]
    assert events == [
        ("call.resumed", "1001", {}),
        ("call.consult_ended", "1001", {**CONSULT, "outcome": "transferred"}),
        TRANSFERRED,
    ]
    assert caller is not None and not caller.moh_on and not agent_leg.alive
    (leg,) = [m for m in caller.bridge.members if m is not caller]
    assert leg.name.startswith("Local/1002@cc-consult-")  # Alice talks to 1002 now


async def test_consult_then_back_to_the_customer(rig: Rig) -> None:
    call_id, _ = await consulting(rig)
    call = live_call(rig, call_id)
    sent, events = await act(rig, "consult_back", call_id)
    assert call.consult_channel and call.consult_channel.startswith("Local/1002@cc-consult-")
    assert sent == [[("Action", "Hangup"), ("Channel", call.consult_channel), ("Cause", "16")]]
    assert events == [
        ("call.resumed", "1001", {}),
        ("call.consult_ended", "1001", {**CONSULT, "outcome": "back"}),
    ]
    caller = rig.sim.engine.find_channel(call.customer_channel)
    agent_leg = channel(rig, "PJSIP/1001-")
    assert caller is not None and caller.bridge is agent_leg.bridge and not caller.moh_on
    assert not [c for c in rig.sim.engine.channels.values() if c.name.startswith("PJSIP/1002-")]


async def test_conference_then_the_agent_leaves_it(rig: Rig) -> None:
    call_id, _ = await consulting(rig)
    caller = rig.sim.engine.find_channel(live_call(rig, call_id).customer_channel)
    agent_leg = channel(rig, "PJSIP/1001-")
    sent, events = await act(rig, "conference", call_id)
    assert sent == [
        [
            ("Action", "PlayDTMF"),
            ("Channel", agent_leg.name),
            ("Digit", digit),
            ("Duration", "100"),
            ("Receive", "true"),
        ]
        for digit in "*3"  # features.conf atxferthreeway
    ]
    assert events == [
        ("call.resumed", "1001", {}),
        ("call.consult_ended", "1001", {**CONSULT, "outcome": "conferenced"}),
        ("call.conferenced", "1001", {**CONSULT, "agent_id": "1001"}),
    ]
    assert caller is not None and caller.bridge is agent_leg.bridge
    assert len(caller.bridge.members) == 3  # all three talk

    sent, events = await act(rig, "hangup", call_id)  # the agent leaves the conference
    assert sent == [[("Action", "Hangup"), ("Channel", agent_leg.name), ("Cause", "16")]]
    assert events == [
        (
            "call.transferred",
            "1002",
            {"kind": "attended", "from_agent_id": "1001", "target": "agent:1002"},
        )
    ]
    (leg,) = [m for m in caller.bridge.members if m is not caller]
    assert leg.name.startswith("Local/1002@cc-consult-")
