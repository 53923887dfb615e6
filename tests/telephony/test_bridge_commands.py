"""Commands through the bridge against the PBX simulator over TCP: the AMI actions the simulator
receives for hold, unhold, transfer, spy and originate, and the domain events that come back.

The expected actions are the dialplan contract of ``telephony/actions.py`` (contexts of
``config/asterisk/extensions.conf``), written out by hand; the channel names are the simulator's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import Rig, customers_who_answer, manual_pbx, running_bridge

from kernel.events import DomainEvent
from telephony.simulator import Scenario
from telephony.simulator.model import Channel
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = pytest.mark.timeout(60)

AGENTS = ["1001", "1002", "1009"]  # 1009's phone answers only when told to (a person)
FIXED = {"kind": "fixed"}


@pytest.fixture
async def rig(redis: aioredis.Redis, prefix: str) -> AsyncIterator[Rig]:
    scenario = Scenario(
        queues=[
            QueueTraffic(queue="sales", did="5000", talk_s=Dist(**FIXED, mean=300)),
            QueueTraffic(queue="support", did="5001"),
        ],
        agents=[
            AgentPhone(
                agent_id=a,
                answer_delay_s=Dist(**FIXED, mean=2),
                no_answer_p=0,
                hold_p=0,
                auto_answer=a != "1009",
            )
            for a in AGENTS
        ],
        unknown_endpoints_answer=False,
        outbound=customers_who_answer(ring_s=3, talk_s=300),
    )
    async with manual_pbx(scenario) as sim, running_bridge(sim, redis, prefix, AGENTS) as r:
        yield r


def sent_since(rig: Rig, mark: int) -> list[list[tuple[str, str]]]:
    """The actions the simulator received after ``mark``, ActionID and the rig's Pings left out."""
    frames = list(rig.sim.received)[mark:]
    return [
        [(k, v) for k, v in f.pairs if k != "ActionID"] for _, f in frames if f.action != "Ping"
    ]


def calls(events: list[DomainEvent]) -> list[tuple[str, str | None, dict]]:
    return [(e.type, e.agent_id, e.payload) for e in events if e.type.startswith("call.")]


def outcomes(events: list[DomainEvent]) -> list[tuple[str, str]]:
    return [(e.type, e.payload["kind"]) for e in events if e.type.startswith("command.")]


async def steps(rig: Rig, seconds: float) -> list[DomainEvent]:
    out: list[DomainEvent] = []
    for _ in range(int(seconds)):
        out += await rig.step(1.0)
    return out


def channel(rig: Rig, prefix: str) -> Channel:
    (ch,) = [c for c in rig.sim.engine.channels.values() if c.name.startswith(prefix)]
    return ch


async def connected_call(rig: Rig, agent: str = "1001") -> tuple[str, Channel, Channel]:
    """An inbound caller on DID 5000 (sales) connected to ``agent``: (call id, caller, agent leg)."""
    device = Device(kind="caller", label="sales", cid_name="Alice", patience_s=1000)
    caller = rig.sim.engine.inbound_call("5000", "+8613800000001", "Alice", device)
    await rig.step(1.0)
    await rig.command("connect", call_id=caller.linkedid, agent_id=agent)
    answered = [e for e in await steps(rig, 4) if e.type == "call.answered"]
    assert [(e.call_id, e.agent_id) for e in answered] == [(caller.linkedid, agent)]
    return caller.linkedid, caller, channel(rig, f"PJSIP/{agent}-")


async def test_hold_then_unhold(rig: Rig) -> None:
    call_id, caller, agent = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command("hold", call_id=call_id) + await steps(rig, 2)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Redirect"),
            ("Channel", caller.name),
            ("Context", "cc-onhold"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("ExtraChannel", agent.name),
            ("ExtraContext", "cc-onhold"),
            ("ExtraExten", "agent"),
            ("ExtraPriority", "1"),
        ]
    ]
    assert outcomes(events) == [("command.succeeded", "hold")]
    assert calls(events) == [("call.held", "1001", {})]
    assert caller.moh_on and caller.bridge is None and agent.alive  # both parked, apart

    mark = len(rig.sim.received)
    events = await rig.command("unhold", call_id=call_id) + await steps(rig, 2)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Bridge"),
            ("Channel1", caller.name),
            ("Channel2", agent.name),
            ("Tone", "no"),
        ]
    ]
    assert outcomes(events) == [("command.succeeded", "unhold")]
    assert calls(events) == [("call.resumed", "1001", {})]
    assert caller.bridge is not None and caller.bridge is agent.bridge and not caller.moh_on


async def test_unhold_of_a_call_not_on_hold_fails_without_an_action(rig: Rig) -> None:
    call_id, _, _ = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command("unhold", call_id=call_id)
    assert sent_since(rig, mark) == []
    (failed,) = [e for e in events if e.type == "command.failed"]
    assert "call is not on hold" in failed.payload["error"]


async def test_blind_transfer_to_a_queue(rig: Rig) -> None:
    call_id, caller, agent = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command("transfer", call_id=call_id, target="queue:support")
    events += await steps(rig, 2)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Setvar"),
            ("Channel", caller.name),
            ("Variable", "CC_QUEUE"),
            ("Value", "support"),
        ],
        [
            ("Action", "Redirect"),
            ("Channel", caller.name),
            ("Context", "cc-hold"),
            ("Exten", "s"),
            ("Priority", "1"),
        ],
    ]
    assert outcomes(events) == [("command.succeeded", "transfer")]
    assert calls(events) == [
        (
            "call.transferred",
            None,
            {"kind": "blind", "from_agent_id": "1001", "target": "queue:support"},
        )
    ]
    assert not agent.alive and caller.moh_on and caller.context == "cc-hold"


async def test_blind_transfer_to_an_agent(rig: Rig) -> None:
    call_id, caller, first = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command("transfer", call_id=call_id, target="agent:1002")
    events += await steps(rig, 4)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Setvar"),
            ("Channel", caller.name),
            ("Variable", "CC_AGENT_ENDPOINT"),
            ("Value", "PJSIP/1002"),
        ],
        [
            ("Action", "Redirect"),
            ("Channel", caller.name),
            ("Context", "cc-connect"),
            ("Exten", "1002"),
            ("Priority", "1"),
        ],
    ]
    assert outcomes(events) == [("command.succeeded", "transfer")]
    assert calls(events) == [
        (
            "call.transferred",
            "1002",
            {"kind": "blind", "from_agent_id": "1001", "target": "agent:1002"},
        )
    ]
    second = channel(rig, "PJSIP/1002-")
    assert not first.alive and caller.bridge is second.bridge is not None


@pytest.mark.parametrize(
    ("mode", "options"), [("listen", "qE"), ("whisper", "qwE"), ("barge", "qBE")]
)
async def test_supervisor_spies_on_the_agent_leg(rig: Rig, mode: str, options: str) -> None:
    call_id, _, agent = await connected_call(rig)
    mark = len(rig.sim.received)
    events = await rig.command(
        "spy", call_id=call_id, agent_id="1001", mode=mode, supervisor="9000"
    )
    events += await steps(rig, 3)
    assert sent_since(rig, mark) == [
        [
            ("Action", "Originate"),
            ("Channel", "PJSIP/9000"),
            ("Application", "ChanSpy"),
            ("Data", f"{agent.name},{options}"),
            ("CallerID", '"Supervisor" <9000>'),
            ("Timeout", "30000"),
            ("Async", "true"),
        ]
    ]
    assert outcomes(events) == [("command.succeeded", "spy")]
    # spying changes nothing in the call; the wallboard learns a monitoring session began
    assert calls(events) == [("call.monitor_started", "1001", {})]
    (spyer,) = [c for c in rig.sim.engine.channels.values() if c.spy is not None]
    assert spyer.name.startswith("PJSIP/9000-")
    assert spyer.spy.spyee is agent and spyer.spy.options == options

    await rig.command("hangup", call_id=call_id)
    await steps(rig, 1)
    assert not agent.alive and not spyer.alive  # E: the supervisor's leg ends with the agent's


def originate_action(call_id: str, number: str) -> list[tuple[str, str]]:
    return [
        ("Action", "Originate"),
        ("Channel", f"PJSIP/{number}@trunk"),
        ("Context", "cc-connect"),
        ("Exten", "1001"),
        ("Priority", "1"),
        ("CallerID", '"Call Center" <5000>'),
        ("Timeout", "30000"),
        ("Async", "true"),
        ("Variable", f"CC_CALL_ID={call_id}"),
        ("Variable", "CC_AGENT_ENDPOINT=PJSIP/1001"),
    ]


async def test_originate_answered_then_connected_to_the_agent(rig: Rig) -> None:
    mark = len(rig.sim.received)
    events = await rig.command("originate", call_id="out-1", agent_id="1001", number="5551234")
    assert sent_since(rig, mark) == [originate_action("out-1", "5551234")]
    assert outcomes(events) == [("command.succeeded", "originate")]  # queued: not yet answered
    events += await steps(rig, 6)  # the customer answers after 3 s, the agent 2 s later
    assert calls(events) == [
        (
            "call.originated",
            "1001",
            {
                "direction": "outbound",
                "number": "5551234",
                "agent_id": "1001",
                "channel": channel(rig, "PJSIP/trunk-").name,
            },
        ),
        # the customer waited for the agent's phone: its answer delay
        ("call.answered", "1001", {"agent_id": "1001", "queue": None, "wait_s": 2.0}),
    ]
    assert {e.call_id for e in events if e.type.startswith("call.")} == {"out-1"}
    hangup = await rig.command("hangup", call_id="out-1") + await steps(rig, 1)
    assert [(t, p["who"]) for t, _, p in calls(hangup)] == [("call.ended", "system")]


@pytest.mark.parametrize(
    ("number", "reason", "code", "wait_s"),
    [
        ("5550486", "busy", "5", 2),
        ("5550000", "no_answer", "3", 31),
        ("5550503", "congestion", "8", 2),
    ],
)
async def test_originate_that_fails(
    rig: Rig, number: str, reason: str, code: str, wait_s: float
) -> None:
    mark = len(rig.sim.received)
    events = await rig.command("originate", call_id="out-2", agent_id="1001", number=number)
    assert sent_since(rig, mark) == [originate_action("out-2", number)]
    events += await steps(rig, wait_s)
    assert outcomes(events) == [("command.succeeded", "originate")]
    assert [(e.type, e.call_id) for e in events if e.type.startswith("call.")] == [
        ("call.failed", "out-2")
    ]
    assert calls(events)[0][2] == {
        "direction": "outbound",
        "number": number,
        "agent_id": "1001",
        "reason": reason,
        "reason_code": code,
    }
    assert rig.sim.engine.channels == {}


async def test_failed_originate_runs_the_failed_extension_and_is_reported_at_once(
    rig: Rig,
) -> None:
    """Asterisk runs cc-connect's ``failed`` extension for a failed Originate and holds the
    OriginateResponse until that channel is gone (capture 24). The dialplan's own ``failed``
    hangs up at once: ``call.failed`` comes in the very second the Originate times out, and no
    channel is left behind (with the old pattern it would wait in cc-hold for ever)."""
    gone: list[str] = []
    rig.sim.engine.listeners.append(
        lambda engine, what, ch: gone.append(ch.name) if what == "hangup" else None
    )
    events = await rig.command("originate", call_id="out-3", agent_id="1001", number="5550000")
    events += await steps(rig, 29)  # Timeout 30000: it rings until then
    assert [e.type for e in events if e.type.startswith("call.")] == []
    events = await rig.step(1.0)  # the 30th second
    assert [
        (e.type, e.call_id, e.payload["reason"]) for e in events if e.type == "call.failed"
    ] == [("call.failed", "out-3", "no_answer")]
    assert "OutgoingSpoolFailed" in gone  # the failed extension ran, then hung up
    assert rig.sim.engine.channels == {}


async def test_answer_from_the_dashboard_sends_pjsipnotify_and_the_phone_picks_up(
    rig: Rig,
) -> None:
    device = Device(kind="caller", label="sales", cid_name="Alice", patience_s=1000)
    caller = rig.sim.engine.inbound_call("5000", "+8613800000001", "Alice", device)
    await rig.step(1.0)
    await rig.command("connect", call_id=caller.linkedid, agent_id="1009")
    events = await steps(rig, 8)  # a person's phone rings on: nobody answers it by itself
    assert [e.type for e in events if e.type == "call.answered"] == []
    leg = channel(rig, "PJSIP/1009-")
    assert leg.state == 5  # Ringing

    mark = len(rig.sim.received)
    events = await rig.command("answer", call_id=caller.linkedid, agent_id="1009")
    events += await steps(rig, 1)
    assert sent_since(rig, mark) == [
        [("Action", "PJSIPNotify"), ("Endpoint", "1009"), ("Variable", "Event=talk")]
    ]
    assert outcomes(events) == [("command.succeeded", "answer")]
    answered = [(e.call_id, e.agent_id) for e in events if e.type == "call.answered"]
    assert answered == [(caller.linkedid, "1009")]
    assert leg.state == 6 and leg.bridge is not None and leg.bridge is caller.bridge

    # answered already: refused before anything is sent
    mark = len(rig.sim.received)
    events = await rig.command("answer", call_id=caller.linkedid, agent_id="1009")
    assert sent_since(rig, mark) == []
    assert outcomes(events) == [("command.failed", "answer")]


async def test_answer_for_an_endpoint_asterisk_does_not_know_fails(rig: Rig) -> None:
    """The simulator answers like res_pjsip_notify: the bridge reports the command failed."""
    device = Device(kind="caller", label="sales", cid_name="Alice", patience_s=1000)
    caller = rig.sim.engine.inbound_call("5000", "+8613800000001", "Alice", device)
    await rig.step(1.0)
    await rig.command("connect", call_id=caller.linkedid, agent_id="1009")
    await steps(rig, 2)  # 1009's phone rings; the answer goes to an endpoint Asterisk lacks
    events = await rig.command("answer", call_id=caller.linkedid, agent_id="7777")
    (failed,) = [e for e in events if e.type == "command.failed"]
    assert "Unable to retrieve endpoint 7777" in failed.payload["error"]


async def test_hangup_after_hold_and_resume_ends_both_legs(rig: Rig) -> None:
    """After the AMI Bridge of a resume, the agent leg continues after its Wait when the
    customer leaves (Asterisk's after-bridge "go on"): cc-onhold's next priority hangs it up."""
    call_id, caller, agent = await connected_call(rig)
    await rig.command("hold", call_id=call_id)
    await steps(rig, 2)
    await rig.command("unhold", call_id=call_id)
    await steps(rig, 2)
    events = await rig.command("hangup", call_id=call_id) + await steps(rig, 2)
    assert outcomes(events) == [("command.succeeded", "hangup")]
    assert not caller.alive and not agent.alive
    assert [e.type for e in events if e.type == "call.ended"] == ["call.ended"]


async def test_answer_before_the_agents_phone_rings_is_refused(rig: Rig) -> None:
    """A caller still holding (no agent leg dialled): nothing is sent, the command fails."""
    device = Device(kind="caller", label="sales", cid_name="Alice", patience_s=1000)
    caller = rig.sim.engine.inbound_call("5000", "+8613800000001", "Alice", device)
    await rig.step(1.0)
    mark = len(rig.sim.received)
    events = await rig.command("answer", call_id=caller.linkedid, agent_id="1009")
    assert sent_since(rig, mark) == []
    (failed,) = [e for e in events if e.type == "command.failed"]
    assert "not ringing" in failed.payload["error"]


async def test_keypad_digits_leave_the_commands_stream_once_sent(rig: Rig) -> None:
    """A keypad command's entry (its digits) is deleted with its acknowledgement; other commands
    stay in the stream as before, and nothing is left pending."""
    from callcenter_testkit.queueing_helpers import eventually

    call_id, _, _ = await connected_call(rig)
    events = await rig.command("dtmf", call_id=call_id, agent_id="1001", digits="4711")
    assert outcomes(events) == [("command.succeeded", "dtmf")]
    await rig.command("mute", call_id=call_id, agent_id="1001", muted=True)
    stream = rig.streams.commands

    async def kinds_left() -> list[str]:
        return [f["kind"] for _, f in await rig.redis.xrange(stream)]

    async def dtmf_gone() -> bool:
        return "dtmf" not in await kinds_left()

    await eventually(dtmf_gone)
    assert "mute" in await kinds_left()
    group = rig.bridge.commands.group

    async def nothing_pending() -> bool:
        return (await rig.redis.xpending(stream, group))["pending"] == 0

    await eventually(nothing_pending)
