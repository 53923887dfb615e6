"""No number reaches the live feed: every event type the platform sends, made by the code that
makes it in production, arrives at a supervisor's WebSocket (who sees every event) without a
number-shaped text anywhere in its payload.

The events: the bridge's translator over every real Asterisk capture (whose dialplan set
``CC_CUSTOMER_ID=cust-<number>``) and its reconcile after a gap, and over captures 20, 22 and 25
as the bridge records, consults (an outside number) and surveys; the desk's mute and keypad
events; the router and agent actions on the test's Redis, with ``PhoneLine`` playing the
bridge's part of two calls and the agent's wrap-up notes written
through the API; complaints and a return visit through their services; a command the bridge
fails while not connected.

And in API responses, free text that may carry a customer's number (wrap-up notes for QA, a
callback's note on the agent's preview) reaches the roles that may not see numbers masked.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from callcenter_testkit.webtools import Login, Server, handled_call, strings_in, web_settings
from sqlalchemy import select

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import change_status, escalate_overdue, open_complaint
from customers.masking import number_shaped
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.commands import Command
from kernel.events import EVENT_TYPES, DomainEvent
from kernel.keys import StreamNames
from kernel.runtime import Runtime
from kernel.settings import Settings
from outbound.tasks import OutboundConfig, call_id_for
from outbound.tasks_store import (
    attempt_answered,
    claim_due,
    record_outcome,
    record_sale,
    request_callback,
)
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import Call
from store.models.customers import OutboundTask
from store.writer import publish
from telephony.ami_frames import Frame
from telephony.bridge import Bridge
from telephony.call_controls import success_events
from telephony.captures import capture_frames
from telephony.reconcile import Gap, KnownCall, plan
from telephony.recording import RecorderState, RecordingPolicy
from telephony.recording import step as recording_step
from telephony.translator import TranslatorConfig, new_state, translate
from web.live.privacy import PHONE_FIELDS

pytestmark = pytest.mark.timeout(60)

REAL = Path(__file__).parents[1] / "fixtures" / "ami" / "real-asterisk"
T0 = datetime(2026, 11, 22, 21, 4, 25, tzinfo=UTC)


@pytest.fixture
def settings(prefix: str) -> Settings:
    data = web_settings(prefix).model_dump()
    data["queues"][0]["ring_timeout_s"] = 1  # sales: a quick ring, no answer (agent.rona)
    data["ami"] = {"host": "127.0.0.1", "port": 1, "action_timeout_s": 1}  # nothing listens
    return Settings.model_validate(data)


def capture_events(path: Path) -> list[DomainEvent]:
    """The bridge's translator over a capture: what the bridge published from real Asterisk."""
    state, out = new_state(), []
    for frame in capture_frames(path.read_bytes()):
        state, got = translate(state, frame, T0)
        out += got
    return out


async def wait_for_event(redis: aioredis.Redis, stream: str, type_: str) -> None:
    async with asyncio.timeout(15):
        while not any(f["type"] == type_ for _, f in await redis.xrange(stream)):  # noqa: ASYNC110 - the condition is in Redis
            await asyncio.sleep(0.05)


def consult_events(threeway: bool) -> list[DomainEvent]:
    """Capture 22 as the bridge starts a consultation to an outside number (``Setvar
    CC_CONSULT`` on the customer before ``Atxfer``); with ``threeway`` the transfer ends in a
    three-way call (``DestType: Threeway``, as atxferthreeway gives)."""
    raw = (REAL / "22-ami-atxfer-and-blindtransfer.ami").read_bytes()
    if threeway:
        raw = raw.replace(b"DestType: Bridge", b"DestType: Threeway", 1)
    frames = capture_frames(raw)
    at = next(i for i, f in enumerate(frames) if f.action == "Atxfer")
    karl = "Local/15551230701@sim-caller-00000016;1"
    varset = Frame(
        [
            ("Event", "VarSet"),
            ("Channel", karl),
            ("Uniqueid", "1796648945.45"),
            ("Linkedid", "1796648945.45"),
            ("Variable", "CC_CONSULT"),
            ("Value", "number:+8613912345678"),
        ]
    )
    state, out = new_state(), []
    for frame in [*frames[:at], varset, *frames[at:]]:
        state, got = translate(state, frame, T0)
        out += got
    return out


def recording_events() -> list[DomainEvent]:
    """Capture 20 (MixMonitor, MixMonitorMute on and off, StopMixMonitor) through the bridge's
    recorder, as the bridge runs it after the translator."""
    policy = RecordingPolicy(frozenset({"sales"}), None, "/var/spool/asterisk/cc")
    state, rec, out = new_state(), RecorderState(), []
    for frame in capture_frames((REAL / "20-mixmonitor-mute-stop.ami").read_bytes()):
        state, got = translate(state, frame, T0)
        rec, more, _actions = recording_step(rec, state, frame, got, T0, policy)
        out += more
    return out


def survey_events() -> list[DomainEvent]:
    """Capture 25 (the real Asterisk's survey, recorded with test names for the context and the
    variable) with the shipped variable name."""
    raw = (
        (REAL / "25-post-call-survey-read-dtmf.ami")
        .read_bytes()
        .replace(
            b"Variable: CC_SURVEY\r\nValue: 4\r\n", b"Variable: CC_SURVEY_SCORE\r\nValue: 4\r\n"
        )
    )
    state, out = new_state(TranslatorConfig(survey_context="fx-survey")), []
    for frame in capture_frames(raw):
        state, got = translate(state, frame, T0)
        out += got
    return out


def control_events() -> list[DomainEvent]:
    """What the bridge publishes for the desk's mute and keypad (no AMI event of their own)."""
    args = {"call_id": "m-1", "agent_id": "a1"}
    return [
        *success_events(Command(id="c-m", kind="mute", args={**args, "muted": True}), T0),
        *success_events(Command(id="c-u", kind="mute", args={**args, "muted": False}), T0),
        *success_events(Command(id="c-d", kind="dtmf", args={**args, "digits": "1390"}), T0),
    ]


async def telephony(redis: aioredis.Redis, stream: str) -> None:
    for path in sorted(REAL.glob("*.ami")):
        for ev in capture_events(path):
            await redis.xadd(stream, ev.to_fields())
    more = [
        *consult_events(threeway=False),
        *consult_events(threeway=True),
        *recording_events(),
        *survey_events(),
        *control_events(),
    ]
    for ev in more:
        await redis.xadd(stream, ev.to_fields())
    # a bridge's login after a gap: the gap, and a waiting caller Asterisk no longer has
    gap = Gap("127.0.0.1:5038", T0, T0 + timedelta(minutes=3))
    known = {"g-1": KnownCall("g-1", queue="sales", arrived_at=T0 - timedelta(seconds=30))}
    for ev in plan(known, set(), gap, {}, set(), T0 + timedelta(minutes=3)).events:
        await redis.xadd(stream, ev.to_fields())


async def routing_and_wrap_up(
    routing: Routing, phone: Any, alice: aiohttp.ClientSession, redis: aioredis.Redis, stream: str
) -> None:
    actions = AgentActions(routing)
    await actions.login("a1")
    await actions.ready("a1")
    await phone.arrive("m-1", "sales", caller="+8613812345678")
    await phone.wait_command("connect")
    await phone.answer("m-1")
    await wait_for_event(redis, stream, "call.answered")
    async with alice.post("/api/calls/m-1/hangup") as r:
        assert r.status == 200, await r.text()
    await wait_for_event(redis, stream, "call.ended")
    notes = "客户要求改号码为 139 0000 1111，明天 10:00 回电 (cust-+8613900001111)"
    async with alice.post(
        "/api/calls/m-1/wrap-up", json={"disposition": "follow_up", "notes": notes}
    ) as r:
        assert r.status == 200, await r.text()
    await phone.arrive("m-2", "sales", caller="+8613700002222")  # rings 1 s: no answer
    await wait_for_event(redis, stream, "agent.rona")
    await phone.publish("call.abandoned", "m-2", wait_s=3.0)
    await actions.logout("a1")


async def supervisor_work(
    phone: Any,
    sue: aiohttp.ClientSession,
    alice: aiohttp.ClientSession,
    redis: aioredis.Redis,
    stream: str,
) -> None:
    """A waiting caller moved to another queue; a message (with a number) to Alice, acknowledged."""
    await phone.arrive("m-3", "sales", caller="+8613600003333")  # nobody is ready: it waits
    await wait_for_event(redis, stream, "call.queued")
    async with sue.post("/api/calls/m-3/move", json={"queue_id": "support"}) as r:
        assert r.status == 200, await r.text()
    text = "请回拨 13600003333"
    async with sue.post("/api/messages", json={"agent_id": "a1", "text": text}) as r:
        assert r.status == 201, await r.text()
        message_id = (await r.json())["message_id"]
    async with alice.post(f"/api/agent/messages/{message_id}/ack") as r:
        assert r.status == 200, await r.text()


async def customer_work(rt: Runtime) -> None:
    s, now = rt.settings, datetime.now(UTC)
    engine, redis, prefix = rt.engine, rt.redis, s.redis_prefix
    await save_customer(
        engine,
        CustomerRecord(customer_id="c-1", name="Wang Hua", phones=("+8613800138000",), tier="vip"),
        now=now,
        default_tz="UTC",
    )
    complaints = ComplaintConfig.from_settings(s)
    complaint_id = await open_complaint(
        engine,
        category="service",
        severity="critical",
        description="charged twice, call 13800138000",
        now=now - timedelta(days=3),
        config=complaints,
        customer_id="c-1",
        call_id="m-1",
        redis=redis,
        prefix=prefix,
    )
    await escalate_overdue(engine, now=now, config=complaints, redis=redis, prefix=prefix)
    await change_status(
        engine, complaint_id, "acknowledged", now=now, config=complaints, redis=redis, prefix=prefix
    )
    outbound = OutboundConfig.from_settings(s)
    task_id = await record_sale(
        engine,
        sale_id="s-13800138000",
        customer_id="c-1",
        sold_at=now,
        now=now,
        config=outbound,
        redis=redis,
        prefix=prefix,
    )
    assert task_id is not None
    t = OutboundTask.__table__
    async with engine.begin() as conn:
        due = (await conn.execute(select(t.c.due_at).where(t.c.task_id == task_id))).scalar_one()
        (claimed,) = await claim_due(conn, due, 10)
        events = await attempt_answered(conn, claimed["call_id"], "a1", due)
    await publish(redis, prefix, events)
    await record_outcome(
        engine,
        task_id,
        outcome="reached",
        now=due,
        agent_id="a1",
        satisfied=False,
        score=2,
        comment="新号码 13911112222",
        redis=redis,
        prefix=prefix,
    )


async def failed_command(rt: Runtime, stream: str) -> None:
    bridge = Bridge(rt.settings, rt.redis)  # never connected: every action fails
    args = {"call_id": "o-1", "agent_id": "a1", "number": "+8613512345678"}
    cmd = Command(id="cmd-1", kind="originate", args=args)
    ev = await bridge.execute("1-1", cmd.to_fields())
    await rt.redis.xadd(stream, ev.to_fields())


async def test_every_event_type_reaches_the_feed_without_a_number(
    login: Login,
    server: Server,
    web_rt: Runtime,
    router: Routing,
    phone: Any,
    redis: aioredis.Redis,
    prefix: str,
) -> None:
    stream = StreamNames(prefix).events
    sue, alice = await login("sue"), await login("alice")
    async with sue.ws_connect("/ws") as ws:
        await telephony(redis, stream)
        await routing_and_wrap_up(router, phone, alice, redis, stream)
        await supervisor_work(phone, sue, alice, redis, stream)
        await customer_work(web_rt)
        await failed_command(web_rt, stream)
        written = [DomainEvent.from_fields(f) for _, f in await redis.xrange(stream)]
        received: dict[str, dict[str, Any]] = {}
        async with asyncio.timeout(20):
            while not {e.id for e in written} <= received.keys():
                msg = await ws.receive()
                assert msg.type == aiohttp.WSMsgType.TEXT, msg
                for m in json.loads(msg.data):
                    if m["t"] == "event":
                        received[m["id"]] = m
    assert {e.type for e in written} == EVENT_TYPES  # every type the feed can send
    leaks = {
        (m["type"], text)
        for m in received.values()
        for text in strings_in(m["payload"])
        if number_shaped(text)
    }
    assert leaks == set()
    # The test can fail: numbers were there, outside the phone fields too.
    raw = {
        e.type
        for e in written
        for k, v in e.payload.items()
        if k not in PHONE_FIELDS and any(number_shaped(t) for t in strings_in(v))
    }
    assert {"call.arrived", "call.wrapped", "outbound.outcome", "agent.message"} <= raw


async def test_wrap_up_notes_keep_their_numbers_from_qa(login: Login, web_rt: Runtime) -> None:
    """QA evaluators read the wrap-up notes with the numbers masked; supervisors, who may see a
    customer's number, read them whole."""
    notes = "客户新号码 139 0000 1111，10:00 后回电"
    async with web_rt.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert(),
            [handled_call("n-1", "a1", datetime.now(UTC) - timedelta(hours=1), notes=notes)],
        )
    seen = {}
    for user in ("quinn", "sue"):
        s = await login(user)
        async with s.get("/api/qa/calls/n-1") as r:
            assert r.status == 200, await r.text()
            seen[user] = (await r.json())["call"]["notes"]
    assert seen["sue"] == notes
    assert number_shaped(seen["quinn"]) == []
    assert seen["quinn"] == "客户新号码 *********11，10:00 后回电"


async def test_a_task_note_keeps_its_numbers_from_the_agent(
    login: Login, web_rt: Runtime, router: Routing
) -> None:
    """The note of a callback (written by whoever scheduled it) shows on the agent's preview
    with its numbers masked: agents may not see a customer's number."""
    now = datetime.now(UTC)
    record = CustomerRecord(customer_id="c-9", name="Wang", phones=("+8613800138000",))
    await save_customer(web_rt.engine, record, now=now, default_tz="UTC")
    task_id = await request_callback(
        web_rt.engine,
        customer_id="c-9",
        due_at=now,
        now=now,
        config=OutboundConfig.from_settings(web_rt.settings),
        note="call her new mobile 139 0000 1111 after six",
    )
    await AgentActions(router).login("a1")
    key = router.keys(router.agent_domain("a1")).agent("a1")
    await router.client.hset(key, mapping={"state": "on_call", "call": call_id_for(task_id, 1)})
    alice = await login("alice")
    async with alice.get("/api/agent") as r:
        assert r.status == 200, await r.text()
        task = (await r.json())["call"]["task"]
    assert task["task_id"] == task_id
    assert task["note"] == "call her new mobile *********11 after six"
