"""Test helper, not a test: the PBX simulator, the bridge against it over loopback TCP, a real
Redis, and the stand-in router the end-to-end tests play.

Everything is driven by the simulator's manual clock, so a run is deterministic and as fast as
the round trips allow. One step is ``advance`` (the PBX moves on and writes its events),
``settle`` (a ``Ping`` through the bridge's own AMI session: its response comes after every
frame written before it, so once it is in, all of them are translated; then the bridge's outbox
is flushed to the stream), reading the new domain events, and ``run_commands`` (the router's
commands on the commands stream, waiting for every outcome before the clock moves again, so each
action applies at a known simulated time). No sleeps, no polling of wall-clock time.

The oracle (``Oracle``) watches the simulated PBX itself (its channels and phones, not AMI), so
the tests compare what the bridge published against what really happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import redis.asyncio as aioredis

from kernel.commands import Command
from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import AgentConfig, AmiSettings, QueueConfig, RecordingSettings, Settings
from queueing.routing import Routing
from queueing.service import Router
from telephony.bridge import Bridge
from telephony.simulator import Scenario, Simulator, start_simulator
from telephony.simulator.engine import Engine
from telephony.simulator.model import Channel
from telephony.simulator.traffic import Dist, OutboundProfile

USER, SECRET = "cc", "ccsecret"
RING_TIMEOUT_S = 15.0  # the contract dialplan's Dial timeout (contract_dialplan)


def manual_pbx(
    scenario: Scenario, recordings: tuple[str, Path] | None = None
) -> contextlib.AbstractAsyncContextManager[Simulator]:
    """The simulator on the manual clock, no traffic of its own, PBX times in the events
    (``recordings``: where it writes MixMonitor files, see ``start_simulator``)."""
    return start_simulator(
        recordings=recordings,
        scenario=scenario,
        speed=None,
        traffic=False,
        username=USER,
        secret=SECRET,
        epoch_s=1_800_000_000.0,
        timestamp_events=True,
    )


def customers_who_answer(ring_s: float, talk_s: float) -> OutboundProfile:
    """Outbound customers who all answer after ``ring_s`` and talk ``talk_s``."""
    return OutboundProfile(
        answer_p=1.0,
        busy_p=0.0,
        noanswer_p=0.0,
        congestion_p=0.0,
        ring_s=Dist(kind="fixed", mean=ring_s),
        talk_s=Dist(kind="fixed", mean=talk_s),
    )


def bridge_settings(
    sim: Simulator,
    prefix: str,
    agents: Iterable[str],
    queues: Iterable[QueueConfig] = (),
    recordings: tuple[str, Path] | None = None,
) -> Settings:
    """``queues``: their ``record`` settings; ``recordings``: the simulator's (asterisk_dir,
    folder), as the bridge's ``[recording]``."""
    return Settings(
        queues=list(queues),
        recording=RecordingSettings(asterisk_dir=recordings[0], folder=recordings[1])
        if recordings
        else RecordingSettings(),
        redis_prefix=prefix,
        ami=AmiSettings(
            host="127.0.0.1",
            port=sim.port,
            username=USER,
            secret=SECRET,
            reconnect_max_s=0.2,
            action_timeout_s=10,
        ),
        agents=[AgentConfig(id=a) for a in agents],
    )


def routed_settings(prefix: str, port: int, **data: object) -> Settings:
    """Settings for the real router and the bridge against the simulator on ``port``; ``data``
    adds the rest (queues, agents, outbound)."""
    return Settings.model_validate(
        {
            "redis_prefix": prefix,
            "timezone": "UTC",
            "ami": {
                "host": "127.0.0.1",
                "port": port,
                "username": USER,
                "secret": SECRET,
                "reconnect_max_s": 0.2,
            },
            "routing": {"tick_ms": 20},
            **data,
        }
    )


@contextlib.asynccontextmanager
async def router_and_bridge(settings: Settings, redis: aioredis.Redis) -> AsyncIterator[Routing]:
    """The real router and the bridge running (both ready) for the ``async with`` block."""
    routing = Routing(redis, settings)
    router = Router(routing, block_ms=20)
    bridge = Bridge(settings, redis, initial_backoff_s=0.01)
    tasks = [asyncio.create_task(router.run()), asyncio.create_task(bridge.run())]
    try:
        async with asyncio.timeout(10):
            await router.started.wait()
            await bridge.connected.wait()
        yield routing
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


@dataclass
class Rig:
    sim: Simulator
    bridge: Bridge
    redis: aioredis.Redis
    streams: StreamNames
    events: list[DomainEvent] = field(default_factory=list)
    last_id: str = "0-0"
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def now_s(self) -> float:
        return self.sim.engine.now_s

    async def step(self, seconds: float) -> list[DomainEvent]:
        """Move the PBX ``seconds`` on; returns the domain events that came of it."""
        await self.sim.advance(seconds)
        return await self.settle()

    async def settle(self) -> list[DomainEvent]:
        """Everything the PBX wrote so far is translated and in the stream; the new events."""
        await self.bridge.send_action([("Action", "Ping")], action_id=f"settle-{next(self._ids)}")
        await self.bridge.published()
        return await self.read_new()

    async def read_new(self, block_ms: int | None = None) -> list[DomainEvent]:
        reply = await self.redis.xread(
            {self.streams.events: self.last_id}, count=100_000, block=block_ms
        )
        new: list[DomainEvent] = []
        for _, entries in reply or []:
            for entry_id, fields in entries:
                self.last_id = entry_id
                new.append(DomainEvent.from_fields(fields))
        self.events += new
        return new

    async def run_commands(self, commands: list[Command]) -> list[DomainEvent]:
        """Put ``commands`` on the stream, wait for all their outcomes; the new events."""
        for command in commands:
            await self.redis.xadd(self.streams.commands, command.to_fields())
        waiting = {c.id for c in commands}
        new: list[DomainEvent] = []
        while waiting:
            got = await self.read_new(block_ms=10_000)
            if not got:
                raise AssertionError(f"no outcome for commands {sorted(waiting)}")
            for e in got:
                if e.type.startswith("command."):
                    waiting.discard(e.payload["command_id"])
            new += got
        return new

    async def command(self, kind: str, **args: object) -> list[DomainEvent]:
        return await self.run_commands([Command(id=f"t{next(self._ids)}", kind=kind, args=args)])


@contextlib.asynccontextmanager
async def running_bridge(
    sim: Simulator,
    redis: aioredis.Redis,
    prefix: str,
    agents: Iterable[str],
    queues: Iterable[QueueConfig] = (),
    recordings: tuple[str, Path] | None = None,
) -> AsyncIterator[Rig]:
    settings = bridge_settings(sim, prefix, agents, queues, recordings)
    bridge = Bridge(settings, redis, initial_backoff_s=0.01)
    task = asyncio.create_task(bridge.run(), name="test-bridge")
    try:
        async with asyncio.timeout(10):
            await bridge.connected.wait()
        yield Rig(sim, bridge, redis, StreamNames(prefix))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def real_time_pbx(
    settings: Settings, redis: aioredis.Redis, scenario: Scenario
) -> AsyncIterator[Simulator]:
    """The simulator in real time (no traffic of its own) and a bridge against it over TCP with
    ``settings`` (the application's: its prefix, agents and dialplan contract): the PBX of the
    page tests."""
    async with start_simulator(
        scenario=scenario, speed=1.0, traffic=False, username=USER, secret=SECRET
    ) as sim:
        ami = AmiSettings(
            host="127.0.0.1", port=sim.port, username=USER, secret=SECRET, reconnect_max_s=1
        )
        ami = ami.model_copy(update={"outbound_channel": settings.ami.outbound_channel})
        bridge = Bridge(settings.model_copy(update={"ami": ami}), redis)
        task = asyncio.create_task(bridge.run(), name="test-bridge")
        try:
            async with asyncio.timeout(10):
                await bridge.connected.wait()
            yield sim
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


# --- the stand-in router ------------------------------------------------------------------


@dataclass
class Offer:
    agent_id: str
    deadline_s: float  # past this, the agent did not answer: the caller is back in holding


@dataclass
class StandInRouter:
    """First come, first served; the longest-idle agent; agents free again after wrap-up.

    It learns everything from the domain events, as the real router does: ``call.arrived``
    queues a call, ``call.answered`` makes the offer a call, ``call.ended`` frees an agent who
    never got the caller, ``call.wrapped`` one who did; an offer not answered within the
    dialplan's ring timeout means the caller is back in holding (the real router's offer timer).
    """

    free: deque[str]
    waiting: deque[str] = field(default_factory=deque)
    offers: dict[str, Offer] = field(default_factory=dict)  # call id -> offer in flight
    talking: dict[str, str] = field(default_factory=dict)  # call id -> agent
    wrapping: set[str] = field(default_factory=set)  # agents in wrap-up
    originating: dict[str, str] = field(default_factory=dict)  # call id -> reserved agent
    unanswered_offers: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def on_events(self, events: Iterable[DomainEvent], now_s: float) -> None:
        for e in events:
            call_id = e.call_id or ""
            if e.type == "call.arrived":
                self.waiting.append(call_id)
            elif e.type == "call.originated":
                # the customer answered: the connect context now rings the reserved agent
                agent = self.originating.pop(call_id)
                self.offers[call_id] = Offer(agent, now_s + RING_TIMEOUT_S + 2)
            elif e.type == "call.failed":
                self.free.append(self.originating.pop(call_id))
            elif e.type == "call.answered":
                offer = self.offers.pop(call_id)
                assert e.agent_id == offer.agent_id, (call_id, e.agent_id, offer)
                self.talking[call_id] = offer.agent_id
            elif e.type == "call.ended":
                if call_id in self.waiting:
                    self.waiting.remove(call_id)
                if call_id in self.offers:  # hung up while the agent's phone rang
                    self.free.append(self.offers.pop(call_id).agent_id)
                if call_id in self.talking:
                    self.wrapping.add(self.talking.pop(call_id))
            elif e.type == "call.wrapped":
                self.wrapping.remove(e.agent_id or "")
                self.free.append(e.agent_id or "")
            elif e.type == "command.failed":
                raise AssertionError(f"command failed: {e.payload}")
        for call_id, offer in list(self.offers.items()):
            if now_s >= offer.deadline_s:  # ring, no answer: the caller is holding again
                del self.offers[call_id]
                self.unanswered_offers += 1
                self.free.append(offer.agent_id)
                self.waiting.appendleft(call_id)

    def connects(self, now_s: float) -> list[Command]:
        out = []
        while self.waiting and self.free:
            call_id, agent = self.waiting.popleft(), self.free.popleft()
            self.offers[call_id] = Offer(agent, now_s + RING_TIMEOUT_S + 2)
            out.append(self._command("connect", call_id=call_id, agent_id=agent))
        return out

    def originate(self, call_id: str, number: str) -> Command | None:
        if not self.free:
            return None
        agent = self.free.popleft()
        self.originating[call_id] = agent
        return self._command("originate", call_id=call_id, agent_id=agent, number=number)

    @property
    def idle(self) -> bool:
        return not (
            self.waiting or self.offers or self.talking or self.wrapping or self.originating
        )

    def _command(self, kind: str, **args: str) -> Command:
        return Command(id=f"r{next(self._ids)}", kind=kind, args=args)


# --- what really happened in the PBX --------------------------------------------------------


@dataclass
class PartyRecord:
    """One caller (inbound) or called customer (outbound), seen from inside the simulator."""

    call_id: str
    kind: str  # caller | customer
    outcome: str  # the phone's drawn outcome: answer | busy | noanswer | congestion
    patience_s: float | None
    bridged: bool = False
    gone: bool = False


@dataclass
class Oracle:
    """Watches the engine's channels (``Engine.listeners``): who arrived, who talked to an agent."""

    parties: dict[str, PartyRecord] = field(default_factory=dict)  # channel name -> record

    def attach(self, engine: Engine) -> Oracle:
        engine.listeners.append(self._on_channel)
        return self

    def _on_channel(self, engine: Engine, what: str, ch: Channel) -> None:
        device = ch.device
        if device is None or device.kind not in ("caller", "customer"):
            return
        record = self.parties.get(ch.name)
        if record is None:
            call_id = ch.linkedid if device.kind == "caller" else ch.var("CC_CALL_ID")
            record = self.parties[ch.name] = PartyRecord(
                call_id, device.kind, device.outcome, device.patience_s
            )
        if what == "bridged":
            record.bridged = True
        elif what == "hangup":
            record.gone = True

    def of_kind(self, kind: str) -> list[PartyRecord]:
        return [r for r in self.parties.values() if r.kind == kind]
