"""The bridge over real TCP against a server replaying the real-asterisk captures, real Redis."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.capture_tables import EXPECTED  # the tables written from the captures
from callcenter_testkit.replay_server import REAL, ReplayServer, load_steps

from kernel.commands import Command
from kernel.events import DomainEvent, make_event_id
from kernel.keys import StreamNames
from kernel.settings import AgentConfig, AmiSettings, Settings
from telephony.ami_frames import parse_frames
from telephony.bridge import Bridge, backoff_delays

pytestmark = pytest.mark.timeout(30)


def settings_for(server: ReplayServer, prefix: str, secret: str = "ccsecret") -> Settings:
    return Settings(
        redis_prefix=prefix,
        ami=AmiSettings(
            host="127.0.0.1",
            port=server.port,
            username="cc",
            secret=secret,
            reconnect_max_s=0.2,
            action_timeout_s=5,
        ),
        agents=[AgentConfig(id="1001", endpoint="Local/1001@sim-agent/m")],
    )


async def read_events(redis: aioredis.Redis, prefix: str) -> list[DomainEvent]:
    entries = await redis.xrange(StreamNames(prefix).events)
    return [DomainEvent.from_fields(f) for _, f in entries]


async def wait_until(pred: Callable[[], Any], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await pred():  # noqa: ASYNC110 - the condition is in Redis
            await asyncio.sleep(0.02)


async def events_until(redis: aioredis.Redis, prefix: str, n: int) -> list[DomainEvent]:
    async def enough() -> bool:
        return len(await read_events(redis, prefix)) >= n

    await wait_until(enough)
    await asyncio.sleep(0.1)  # nothing more should come
    return await read_events(redis, prefix)


@pytest.fixture
async def running() -> AsyncIterator[Callable[..., Any]]:
    started: list[tuple[asyncio.Task[None], ReplayServer]] = []

    async def start(server: ReplayServer, bridge: Bridge) -> Bridge:
        task = asyncio.create_task(bridge.run())
        started.append((task, server))
        return bridge

    yield start
    for task, server in started:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await server.close()


def without_wait(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "wait_s"}


@pytest.mark.parametrize(
    "capture",
    [
        "04-inbound-answered.ami",
        "05-inbound-abandoned-while-holding.ami",
        "07-outbound-answered.ami",
        "08-outbound-busy.ami",
        "14-hold-unhold-in-bridge.ami",
        "15-agent-attended-transfer.ami",
    ],
)
async def test_bridge_publishes_the_capture_events(
    capture: str, redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    server = await ReplayServer(capture).start()
    bridge = await running(
        server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
    )
    expected = EXPECTED[capture]
    events = await events_until(redis, prefix, len(expected))
    assert [(e.type, e.call_id, e.agent_id, without_wait(e.payload)) for e in events] == [
        (t, c, a, without_wait(p)) for t, c, a, p in expected
    ]
    assert bridge.sessions == 1 and bridge.bad_frames == 0


async def test_an_endless_frame_is_dropped_and_the_session_goes_on(
    redis: aioredis.Redis, prefix: str, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """3 MB of one frame that does not end (then a blank line) before the capture's events: the
    bridge drops it at 1 MiB, logs its first bytes, and publishes the call as usual."""
    junk = b"Event: Flood\r\nVariable: " + b"x" * 3_000_000 + b"\r\n\r\n"
    server = await ReplayServer(
        "05-inbound-abandoned-while-holding.ami", before_play=junk, piece_size=65536
    ).start()
    with caplog.at_level(logging.WARNING, logger="telephony.bridge"):
        bridge = await running(
            server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
        )
        expected = EXPECTED["05-inbound-abandoned-while-holding.ami"]
        events = await events_until(redis, prefix, len(expected))
    assert [e.type for e in events] == [t for t, _, _, _ in expected]
    assert (bridge.sessions, bridge.bad_frames) == (1, 1)
    dropped = [r.getMessage() for r in caplog.records if "1048576 bytes dropped" in r.getMessage()]
    assert len(dropped) == 1 and "Event: Flood" in dropped[0]


async def test_connect_command_redirects_and_the_call_is_answered(
    redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    server = await ReplayServer("04-inbound-answered.ami", wait_for=("redirect",)).start()
    await running(server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01))
    call_id = "1795381465.0"
    arrived = await events_until(redis, prefix, 1)
    assert arrived[0].type == "call.arrived"
    command = Command(id="cmd-1", kind="connect", args={"call_id": call_id, "agent_id": "1001"})
    await redis.xadd(StreamNames(prefix).commands, command.to_fields())
    events = await events_until(redis, prefix, 4)
    # the outcome is published when the response is in; the call's own events that came in the
    # same read may be ahead of it
    assert [(e.type, e.call_id) for e in events if e.type.startswith("call.")] == [
        ("call.arrived", call_id),
        ("call.answered", call_id),
        ("call.ended", call_id),
    ]
    (outcome,) = [e for e in events if e.type.startswith("command.")]
    assert outcome.type == "command.succeeded" and outcome.call_id == call_id
    assert outcome.payload == {"command_id": "cmd-1", "kind": "connect"}
    sent = [f for f in server.received if f.action in ("Setvar", "Redirect")]
    channel = "Local/15551230001@sim-caller-00000000;1"
    assert [(f.action, f.get("Channel")) for f in sent] == [
        ("Setvar", channel),
        ("Redirect", channel),
    ]
    assert sent[0]["Variable"] == "CC_AGENT_ENDPOINT"
    assert sent[0]["Value"] == "Local/1001@sim-agent/m"  # the agent's dial string (settings)
    assert (sent[1]["Context"], sent[1]["Exten"], sent[1]["Priority"]) == (
        "cc-connect",
        "1001",
        "1",
    )
    # acknowledged after the AMI response: nothing left pending in the group
    pending = await redis.xpending(StreamNames(prefix).commands, "telephony-bridge")
    assert pending["pending"] == 0


async def test_failed_commands_publish_the_error(
    redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    server = await ReplayServer(
        "05-inbound-abandoned-while-holding.ami", stop_before="logoff"
    ).start()
    bridge = await running(
        server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
    )
    await bridge.connected.wait()
    commands = StreamNames(prefix).commands
    await redis.xadd(
        commands, Command(id="c-unknown", kind="hangup", args={"call_id": "nope"}).to_fields()
    )
    await redis.xadd(commands, {"id": "c-bad", "kind": "explode", "args": "{}"})
    await redis.xadd(
        commands,
        Command(
            id="c-spy",
            kind="spy",
            args={"call_id": "nope", "agent_id": "1001", "mode": "listen", "supervisor": "9000"},
        ).to_fields(),
    )

    async def three() -> bool:
        return (
            len([e for e in await read_events(redis, prefix) if e.type.startswith("command.")]) >= 3
        )

    await wait_until(three)
    outcomes = {
        e.payload["command_id"]: e
        for e in await read_events(redis, prefix)
        if e.type.startswith("command.")
    }
    assert outcomes["c-unknown"].type == "command.failed"
    assert "no such live call" in outcomes["c-unknown"].payload["error"]
    assert "kind: unknown command 'explode'" in outcomes["c-bad"].payload["error"]
    assert outcomes["c-spy"].type == "command.failed"


async def test_ami_error_response_fails_the_command(
    redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    """Asterisk answers ``Response: Error``: its Message is the command's error, and the
    bridge stops at the first failing action."""
    server = await ReplayServer("04-inbound-answered.ami", wait_for=("redirect",)).start()
    bridge = await running(
        server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
    )
    await events_until(redis, prefix, 1)
    # the caller's channel vanished between our view and the command (a hangup racing it)
    call = bridge.state.calls["1795381465.0"]
    gone = "Local/15551230001@sim-caller-000000ff;1"
    bridge.state = replace(
        bridge.state, calls={call.linkedid: replace(call, customer_channel=gone)}
    )
    await redis.xadd(
        StreamNames(prefix).commands,
        Command(
            id="c-ann",
            kind="announce",
            args={"call_id": "1795381465.0", "position": 2, "wait_s": 45},
        ).to_fields(),
    )

    async def failed() -> bool:
        return any(e.type == "command.failed" for e in await read_events(redis, prefix))

    await wait_until(failed)
    event = next(e for e in await read_events(redis, prefix) if e.type == "command.failed")
    assert event.payload["error"] == f"AMI action Redirect failed: Channel does not exist: {gone}"
    assert [f.action for f in server.received if f.action in ("Setvar", "Redirect")] == [
        "Setvar",
        "Setvar",
        "Redirect",
    ]
    assert bridge.sessions == 1


async def test_wrong_secret_is_logged_once_then_backs_off(
    redis: aioredis.Redis, prefix: str, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Robust to a loaded machine: the test waits for the server to see the logins (an event,
    no clock), and the bridge logs the refusal once until a login succeeds, whatever else fails
    in between (a login that times out, a connection reset), so no interleaving adds an error."""
    server = await ReplayServer("01-login-success.ami").start()
    bridge = Bridge(
        settings_for(server, prefix, secret="wrongsecret"), redis, initial_backoff_s=0.01
    )
    with caplog.at_level(logging.INFO, logger="telephony.bridge"):
        await running(server, bridge)
        await server.wait_logins(4)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "Authentication failed" in errors[0].getMessage()
    assert "'cc'" in errors[0].getMessage()
    assert bridge.sessions == 0 and not bridge.connected.is_set()


async def test_login_refusals_stay_logged_once_across_other_failures(
    redis: aioredis.Redis, prefix: str, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused, then a login that gets no answer at all (the server hangs up first), then
    refused again: still one error. The old bridge logged the refusal again after any other
    kind of failure, which a slow login (timeout) on a loaded machine could cause."""
    server = await ReplayServer("01-login-success.ami", hang_up_on_login=(2,)).start()
    bridge = Bridge(
        settings_for(server, prefix, secret="wrongsecret"), redis, initial_backoff_s=0.01
    )
    with caplog.at_level(logging.INFO, logger="telephony.bridge"):
        await running(server, bridge)
        await server.wait_logins(4)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert [m for level, m in messages if level >= logging.ERROR and "Authentication" in m]
    assert len([m for level, m in messages if level >= logging.ERROR]) == 1, messages
    assert any("unreachable or lost" in m for _, m in messages)  # the silent one happened


def test_backoff_is_exponential_and_capped() -> None:
    gen = backoff_delays(0.5, 30.0)
    assert [next(gen) for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def _status_items_after_bridge_enter() -> list[list[tuple[str, str]]]:
    """Status items for the two legs of capture 04 once bridged (the Status layout of file 11)."""
    steps = load_steps(REAL / "11-coreshowchannels-status.ami")
    status = next(
        f
        for s in steps
        for f in parse_frames(s.data)[0]
        if f.event == "Status" and f.getall("Variable")
    )
    bridge_id = "2d073455-5631-4404-9564-22a3ea55c177"

    def item(channel: str, uid: str, context: str, variables: dict[str, str]) -> list:
        pairs = []
        for key, value in status.pairs:
            if key in ("ActionID", "Variable"):
                continue
            value = {
                "Channel": channel,
                "Uniqueid": uid,
                "Linkedid": "1795381465.0",
                "Context": context,
                "BridgeID": bridge_id,
                "Seconds": "5",
            }.get(key, value)
            pairs.append((key, value))
        pairs += [("Variable", f"{k}={v}") for k, v in variables.items()]
        return pairs

    return [
        item(
            "Local/15551230001@sim-caller-00000000;1",
            "1795381465.0",
            "cc-connect",
            {
                "CC_QUEUE": "sales",
                "CC_CUSTOMER_ID": "cust-15551230001",
                "CC_AGENT": "1001",
                "CC_CALL_ID": "",
            },
        ),
        item(
            "Local/1001@sim-agent-00000001;1",
            "1795381468.2",
            "sim-agent",
            {"CC_QUEUE": "", "CC_CUSTOMER_ID": "", "CC_AGENT": "", "CC_CALL_ID": ""},
        ),
    ]


async def test_connection_drop_mid_call_reconnects_resyncs_no_duplicates(
    redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    """The TCP connection drops right after both legs entered the bridge; on the next session
    Status lists the call still up, then the rest of the call arrives: each event once."""
    server = ReplayServer(
        "04-inbound-answered.ami",
        cut_at=(b"Event: BridgeEnter\r\n", b"Channel: Local/15551230001@sim-caller-00000000;1\r\n"),
        status_items=_status_items_after_bridge_enter(),
    )
    await server.start()
    bridge = await running(
        server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
    )
    got = await events_until(redis, prefix, 4)
    # the second login records the time the bridge did not hear Asterisk
    assert [e.type for e in got].count("telephony.gap") == 1
    events = [e for e in got if e.type != "telephony.gap"]
    assert [(e.type, e.call_id) for e in events] == [
        ("call.arrived", "1795381465.0"),
        ("call.answered", "1795381465.0"),
        ("call.ended", "1795381465.0"),
    ]
    assert events[2].payload["who"] == "customer"
    assert bridge.sessions == 2 and server.sessions == 2


async def test_calls_that_ended_while_disconnected_are_ended_once(
    redis: aioredis.Redis, prefix: str, running: Any
) -> None:
    """Dropped mid-call, and the call is gone when we are back (empty Status list)."""
    server = ReplayServer(
        "04-inbound-answered.ami",
        cut_at=(b"Event: BridgeEnter\r\n", b"Channel: Local/15551230001@sim-caller-00000000;1\r\n"),
        resume=False,
    )
    await server.start()
    bridge = await running(
        server, Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
    )
    events = await events_until(redis, prefix, 4)
    assert [(e.type, e.payload.get("who")) for e in events] == [
        ("call.arrived", None),
        ("call.answered", None),
        ("telephony.gap", None),
        ("call.ended", "unknown"),
    ]
    gap, ended = events[2], events[3]
    # ended inside the gap: dated at its end, with both bounds and the reason
    assert ended.payload["reason"] == "gap" and ended.payload["answered"] is True
    assert ended.payload["gap_from_at"] == gap.payload["from_at"]
    assert ended.ts.isoformat() == gap.payload["to_at"] == ended.payload["gap_to_at"]
    assert ended.id == make_event_id("1795381465.0", "ended")  # the live end's id
    assert bridge.sessions == 2
    assert bridge.state.calls == {}


async def test_bridge_stops_when_cancelled_at_any_moment(
    redis: aioredis.Redis, prefix: str
) -> None:
    """Cancelled while a Redis or AMI call is in flight, the bridge still stops: redis-py 8.1
    returns normally from a command cancelled mid-reply, and Python 3.11's ``wait_for`` can
    drop a cancellation; either made ``run()`` loop on for ever (the old teardown hangs)."""
    server = await ReplayServer("04-inbound-answered.ami", wait_for=("redirect",)).start()
    try:
        for i in range(24):
            bridge = Bridge(settings_for(server, prefix), redis, initial_backoff_s=0.01)
            task = asyncio.create_task(bridge.run())
            if i % 2:
                await bridge.connected.wait()
            for _ in range(i // 2):
                await asyncio.sleep(0)  # land the cancellation somewhere else each time
            task.cancel()
            async with asyncio.timeout(10):  # a hang guard, not a speed check
                with pytest.raises(asyncio.CancelledError):
                    await task
    finally:
        await server.close()


async def test_arrived_call_gets_the_known_callers_tier(redis, prefix):
    """The customers' caller index turns a known number into customer id and tier."""
    from datetime import UTC, datetime

    from kernel.events import DomainEvent
    from kernel.settings import Settings
    from telephony.bridge import Bridge

    s = Settings.model_validate({"redis_prefix": prefix, "ami": {"host": "127.0.0.1"}})
    await redis.hset(f"{prefix}:customers:phones", "+8613800000001", "c-vip|vip")
    bridge = Bridge(s, redis)
    arrived = DomainEvent(
        "e1",
        datetime.now(UTC),
        "call.arrived",
        "c1",
        payload={"caller": "13800000001", "queue": "sales"},
    )
    enriched = await bridge._with_customer(arrived)
    assert enriched.payload["customer_id"] == "c-vip" and enriched.payload["tier"] == "vip"
    unknown = DomainEvent(
        "e2",
        datetime.now(UTC),
        "call.arrived",
        "c2",
        payload={"caller": "13900000009", "queue": "sales"},
    )
    assert await bridge._with_customer(unknown) == unknown
