"""What-if: a roster against a forecast through the PBX simulator and the real platform, next to
the Erlang C / Erlang A predictions, interval by interval.

The forecast's calls arrive at the simulator (``workforce.whatif_plan.arrival_plan``: Poisson
per interval, exponential talk and patience); the real bridge, router and store writer handle
them; simulated agents follow the roster through ``AgentActions`` (log in, ready, not ready for
a break or lunch, log out, each waiting for a call in progress to end); then the store's interval
statistics are compared with the formulas for the scheduled agents
(``workforce.whatif_compare``).

Time. The simulator runs ``speed`` times faster than the wall clock and its clock shows the
forecast's dates (its epoch is the first interval's start minus a short lead-in during which the
pieces start). Everything that stamps an event uses that clock: the simulator adds Asterisk's
``Timestamp:`` header (the bridge takes event times from it), and the router and the agent
actions get a ``Routing`` whose clock is the simulator's, so calls and agent states in the store
line up with the forecast's intervals and the router's timers (wrap-up, ring timeout, escalation)
run in simulated seconds. The router's outbox lease is stretched by ``speed`` so that it stays
a few wall seconds. What acceleration cannot scale is the platform's own latency (bridge, Redis,
router, AMI): every wall millisecond of it is ``speed`` simulated milliseconds added to a
caller's wait (20 ms at 60x is 1.2 s), which is why the default speed is 60 and not 1000.

The run needs Redis and a database of its own: ``settings.redis_prefix`` and ``db_url`` must not
be a live system's (``callcenter whatif`` makes a unique prefix and a temporary SQLite file).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from config.services import open_runtime
from kernel.keys import StreamNames
from kernel.settings import QueueConfig, Settings
from queueing.actions import AgentActions
from queueing.errors import AgentStateError
from queueing.routing import Routing
from queueing.service import Router
from reports.service import interval_figures, rules_of
from store.writer import StoreWriter
from telephony.bridge import Bridge
from telephony.simulator.engine import Engine
from telephony.simulator.model import Channel
from telephony.simulator.phones import Device
from telephony.simulator.server import Simulator, build_simulator
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic, Scenario
from workforce.adherence import period_adherence
from workforce.errors import InputError, WhatIfError
from workforce.staffing import interval_length_s
from workforce.store_io import read_agent_states
from workforce.whatif_compare import compare, simulated_frame, summary
from workforce.whatif_plan import (
    Arrival,
    RosterStep,
    agents_on_phones,
    arrival_plan,
    roster_steps,
)

log = logging.getLogger(__name__)

DEFAULT_DID = "5999"
AGENT_ID = re.compile(r"[A-Za-z0-9_.-]{2,}")  # a settings agent id the simulator can dial
STARTUP_TIMEOUT_S = 20.0
SETTLE_TIMEOUT_S = 30.0

Progress = Callable[[float, str], None]  # (fraction of the simulated period done, phase)


@dataclass(frozen=True)
class WhatIfOptions:
    queue_id: str | None = None  # default: the first configured queue
    speed: float = 60.0
    patience_s: float | None = 120.0  # callers' mean patience (exponential); None: never hang up
    wrap_s: int = 10  # wrap-up after every call (the queue's wrap-up is set to it)
    answer_delay_s: float = 1.0  # agents' phones answer this long after ringing
    seed: int = 1
    interval_s: int | None = None  # only needed for a one-interval forecast
    lead_in_wall_s: float = 2.0  # wall time for the pieces to start before the first interval
    drain_max_s: float = 1800.0  # simulated time after the last interval for calls to finish
    poll_wall_s: float = 0.02  # how often the agents look at the clock


@dataclass
class WhatIfResult:
    comparison: pd.DataFrame  # whatif_compare.COLUMNS per interval
    summary: dict[str, float]
    queue_id: str
    interval_s: int
    answer_within_s: int
    speed: float
    planned_calls: int
    adherence: float | None  # mean over the scheduled agents (did they follow the roster?)
    late_steps: int  # roster steps that waited for a call to end
    wall_s: float
    extra: dict[str, Any] = field(default_factory=dict)


def _utc_index(forecast: pd.DataFrame) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(forecast.index)
    if idx.tz is None:
        raise InputError("interval_start", str(idx[0]) if len(idx) else "", "needs a UTC offset")
    return idx.tz_convert("UTC")


def whatif_queue(settings: Settings, queue_id: str | None) -> QueueConfig:
    """The queue to simulate: ``queue_id`` from the settings, the first configured queue, or a
    plain 80/20 queue named ``queue_id`` (``whatif``) when none is configured."""
    if queue_id is not None:
        found = [q for q in settings.queues if q.id == queue_id]
        if found:
            return found[0]
        if settings.queues:
            known = ", ".join(q.id for q in settings.queues)
            raise InputError("queue", queue_id, f"not a configured queue ({known})")
        return QueueConfig(id=queue_id)
    return settings.queues[0] if settings.queues else QueueConfig(id="whatif")


def whatif_settings(
    settings: Settings, queue: QueueConfig, agent_ids: list[str], options: WhatIfOptions
) -> Settings:
    """The settings of the run: only ``queue`` (its wrap-up set to the simulated one, its ring
    timeout long enough for the platform's latency at this speed, no announcements and no
    escalation), the roster's agents with the queue's skills, timers scaled for the speed."""
    speed = options.speed
    data = settings.model_dump(mode="python")
    q = queue.model_dump(mode="python")
    q.update(
        wrap_up_s=options.wrap_s,
        ring_timeout_s=min(300, max(queue.ring_timeout_s, math.ceil(2 * speed))),
        announce_every_s=0,
        escalation=[],
        did=[queue.did[0] if queue.did else DEFAULT_DID],
        domain=None,
    )
    data["queues"] = [q]
    data["agents"] = [{"id": a, "skills": {s: 10 for s in queue.skills}} for a in agent_ids]
    data["routing"] = {
        **data["routing"],
        "offer_lease_s": max(settings.routing.offer_lease_s, 5.0 * speed),
        "tick_ms": 20,
        "agent_domains": {},
        "not_ready_reasons": sorted({*settings.routing.not_ready_reasons, "break", "lunch"}),
    }
    data["outbound"] = {**data["outbound"], "queue": None}
    return Settings.model_validate(data)


class Callers:
    """Puts the planned callers into the simulator and ends each answered call after its talk
    time (the caller hangs up); the agent's phone then reports the wrap-up (``CcWrapUp``)."""

    def __init__(
        self, arrivals: list[Arrival], queue_id: str, did: str, wrap_s: float, offset_s: float
    ) -> None:
        self.arrivals = arrivals
        self.queue_id = queue_id
        self.did = did
        self.wrap_s = wrap_s
        self.offset_s = offset_s
        self._talk_s: dict[str, float] = {}  # caller channel uniqueid -> talk time
        self.arrived = 0

    def attach(self, engine: Engine) -> None:
        engine.listeners.append(self._on_channel)
        for n, a in enumerate(self.arrivals):
            engine.schedule(self.offset_s + a.at_s - engine.now_s, self._arrive, engine, n, a)

    def _arrive(self, engine: Engine, n: int, a: Arrival) -> None:
        # talk_drawn: the simulator's own traffic generator leaves this call's end to us
        device = Device(
            kind="caller",
            label=self.queue_id,
            cid_name=f"Caller {n}",
            patience_s=a.patience_s,
            talk_drawn=True,
        )
        ch = engine.inbound_call(self.did, f"+86130{n:08d}", device.cid_name, device)
        self._talk_s[ch.uniqueid] = a.talk_s
        self.arrived += 1

    def _on_channel(self, engine: Engine, what: str, ch: Channel) -> None:
        if what != "bridged" or ch.bridge is None:
            return
        members = ch.bridge.members
        caller = next((m for m in members if m.device and m.device.kind == "caller"), None)
        agent = next((m for m in members if m.device and m.device.kind == "agent"), None)
        if caller is None or agent is None or agent.device is None:
            return
        talk_s = self._talk_s.pop(caller.uniqueid, None)
        if talk_s is None:  # decided already (a second bridge of the same call)
            return
        engine.hangup_after(caller, talk_s)
        agent.device.wrap_up_s = self.wrap_s
        agent.device.disposition = "resolved"

    def callers_alive(self, engine: Engine) -> int:
        return sum(
            1
            for ch in engine.channels.values()
            if ch.device is not None and ch.device.kind == "caller"
        )


class RosterDriver:
    """Plays the roster's steps through ``AgentActions`` on the simulated clock. A step the
    agent's state refuses (on a call, ringing) is retried until it goes through; the agent's
    later steps wait behind it."""

    def __init__(self, actions: AgentActions, steps: list[RosterStep]) -> None:
        self.actions = actions
        self.queues: dict[str, deque[RosterStep]] = {}
        for step in steps:
            self.queues.setdefault(step.agent_id, deque()).append(step)
        self.late: set[tuple[str, pd.Timestamp, str]] = set()
        self.done = 0

    async def step(self, now_at: datetime) -> None:
        now = pd.Timestamp(now_at)
        for agent_id, queue in self.queues.items():
            while queue and queue[0].at <= now:
                step = queue[0]
                try:
                    await self._apply(step)
                except AgentStateError as exc:
                    if exc.state == "logged_out" and step.action in (
                        "logout",
                        "not_ready",
                        "ready",
                    ):
                        queue.popleft()  # nothing to do for an agent already gone
                        continue
                    self.late.add((agent_id, step.at, step.action))
                    break
                queue.popleft()
                self.done += 1

    async def _apply(self, step: RosterStep) -> None:
        a = self.actions
        if step.action == "login":
            await a.login(step.agent_id)
        elif step.action == "ready":
            await a.ready(step.agent_id)
        elif step.action == "not_ready":
            await a.not_ready(step.agent_id, step.reason or "break")
        else:
            await a.logout(step.agent_id)
        log.debug("what-if agent %s: %s at %s", step.agent_id, step.action, step.at)


async def _store_caught_up(redis: Any, streams: StreamNames, group: str) -> bool:
    """The store writer has read and acknowledged every event written so far."""
    info = await redis.xinfo_stream(streams.events)
    for g in await redis.xinfo_groups(streams.events):
        if g["name"] == group:
            return bool(g["pending"] == 0 and g["last-delivered-id"] == info["last-generated-id"])
    return False


async def run_whatif(
    settings: Settings,
    forecast: pd.DataFrame,
    roster: pd.DataFrame,
    options: WhatIfOptions | None = None,
    *,
    on_progress: Progress | None = None,
) -> WhatIfResult:
    """Simulate ``roster`` against ``forecast`` (interval_start index; calls, aht_s) and compare.

    ``settings`` supply Redis, the database and the queue; their prefix and database must be the
    run's own (see the module docstring)."""
    opts = options or WhatIfOptions()
    if not opts.speed > 0:
        raise InputError("speed", opts.speed, "must be > 0")
    if not opts.lead_in_wall_s >= 0:
        raise InputError("lead_in_wall_s", opts.lead_in_wall_s, "must be >= 0")
    index = _utc_index(forecast)
    if len(index) >= 2:
        interval_s = interval_length_s(index)
    elif opts.interval_s is not None:
        interval_s = opts.interval_s
    else:
        raise InputError("interval_s", None, "a one-interval forecast needs the interval length")
    if interval_s not in (900, 1800, 3600):
        raise InputError("interval_s", interval_s, "intervals must be 15, 30 or 60 minutes")
    if index[0] != index[0].floor(f"{interval_s}s"):
        raise InputError(
            "interval_start",
            index[0].isoformat(),
            f"intervals must start on whole {interval_s // 60} minutes (in UTC)",
        )
    if len(roster) == 0:
        raise InputError("roster", 0, "no rows")
    start_at = index[0].to_pydatetime()
    end_at = (index[-1] + pd.Timedelta(seconds=interval_s)).to_pydatetime()
    window_s = (end_at - start_at).total_seconds()

    queue = whatif_queue(settings, opts.queue_id)
    agent_ids = sorted(str(a) for a in roster["agent_id"].unique())
    for agent_id in agent_ids:
        if not AGENT_ID.fullmatch(agent_id):
            raise InputError("agent_id", agent_id, "needs 2 or more letters, digits, _ . or -")
    run_settings = whatif_settings(settings, queue, agent_ids, opts)
    q = run_settings.queues[0]
    did = q.did[0]
    arrivals = arrival_plan(
        forecast["calls"].to_numpy(dtype=float),
        forecast["aht_s"].fillna(0.0).to_numpy(dtype=float),
        interval_s,
        wrap_s=opts.wrap_s,
        patience_s=opts.patience_s,
        seed=opts.seed,
    )
    steps = roster_steps(roster, start_at)
    scheduled = agents_on_phones(roster, pd.DatetimeIndex(forecast.index), interval_s)

    lead_s = opts.lead_in_wall_s * opts.speed
    epoch_s = start_at.timestamp() - lead_s
    scenario = Scenario(
        seed=opts.seed,
        queues=[
            QueueTraffic(
                queue=q.id,
                did=did,
                calls_per_hour=0,
                wrap_up_s=Dist(kind="fixed", mean=opts.wrap_s),
            )
        ],
        agents=[
            AgentPhone(
                agent_id=a,
                answer_delay_s=Dist(kind="fixed", mean=opts.answer_delay_s),
                no_answer_p=0.0,
                hold_p=0.0,
            )
            for a in agent_ids
        ],
    )
    started = time.monotonic()
    async with open_runtime(run_settings, migrate=True) as rt:
        sim = build_simulator(
            scenario=scenario,
            username=run_settings.ami.username,
            secret=run_settings.ami.secret,
            host="127.0.0.1",
            port=0,
            speed=opts.speed,
            epoch_s=epoch_s,
            seed=opts.seed,
            traffic=False,
            timestamp_events=True,
        )
        callers = Callers(arrivals, q.id, did, opts.wrap_s, lead_s)
        callers.attach(sim.engine)
        await sim.start()
        try:
            result = await _run(
                rt,
                sim,
                run_settings,
                callers,
                steps,
                opts,
                epoch_s=epoch_s,
                lead_s=lead_s,
                window_s=window_s,
                on_progress=on_progress,
            )
        finally:
            await sim.stop()
        figures = await interval_figures(
            rt.engine,
            start_at,
            end_at,
            interval_min=interval_s // 60,
            timezone="UTC",
            queues=[q.id],
            rules=rules_of([q]),
        )
        stats = simulated_frame(figures)
        states = await read_agent_states(rt.engine, start_at, end_at)
    comparison = compare(
        forecast.set_axis(index),
        scheduled.set_axis(index),
        stats,
        interval_s,
        answer_within_s=q.sl_target_s,
        patience_s=opts.patience_s,
    )
    adh = period_adherence(roster, states, start_at, end_at, end_at)
    scheduled_rows = adh[adh["scheduled_min"] > 0]
    return WhatIfResult(
        comparison=comparison,
        summary=summary(comparison),
        queue_id=q.id,
        interval_s=interval_s,
        answer_within_s=q.sl_target_s,
        speed=opts.speed,
        planned_calls=len(arrivals),
        adherence=float(scheduled_rows["adherence"].mean()) if len(scheduled_rows) else None,
        late_steps=result["late_steps"],
        wall_s=time.monotonic() - started,
        extra=result,
    )


async def _run(
    rt: Any,
    sim: Simulator,
    settings: Settings,
    callers: Callers,
    steps: list[RosterStep],
    opts: WhatIfOptions,
    *,
    epoch_s: float,
    lead_s: float,
    window_s: float,
    on_progress: Progress | None,
) -> dict[str, Any]:
    """The pieces on the simulated clock, the roster played until the calls are over, and the
    store caught up."""

    def clock() -> float:
        return epoch_s + sim.now_s()

    def sim_at() -> datetime:
        return datetime.fromtimestamp(clock(), UTC)

    def progress(phase: str) -> None:
        if on_progress is not None:
            on_progress(min(1.0, max(0.0, (sim.now_s() - lead_s) / window_s)), phase)

    settings = settings.model_copy(
        update={"ami": settings.ami.model_copy(update={"host": "127.0.0.1", "port": sim.port})}
    )
    router = Router(Routing(rt.redis, settings, clock=clock))
    writer = StoreWriter(
        rt.redis,
        rt.engine,
        rt.streams,
        group=settings.store.consumer_group,
        batch_size=settings.store.batch_size,
        block_ms=50,
    )
    driver = RosterDriver(AgentActions(Routing(rt.redis, settings, clock=clock)), steps)
    failure: str | None = None  # raised after the task group (inside, it would be wrapped)
    async with asyncio.TaskGroup() as tg:
        pieces = [
            tg.create_task(writer.run(), name="whatif-store-writer"),
            tg.create_task(router.run(), name="whatif-router"),
        ]
        try:
            try:
                async with asyncio.timeout(STARTUP_TIMEOUT_S):
                    await router.started.wait()
                    bridge = Bridge(settings, rt.redis, initial_backoff_s=0.05)
                    pieces.append(tg.create_task(bridge.run(), name="whatif-bridge"))
                    await bridge.connected.wait()
            except TimeoutError:
                failure = f"the router or the bridge did not start within {STARTUP_TIMEOUT_S:.0f} s"
            if failure is None and sim.now_s() >= lead_s:
                failure = (
                    f"start-up took {sim.now_s():.0f} simulated seconds, more than the lead-in "
                    f"of {lead_s:.0f}: lower the speed or raise the lead-in"
                )
            if failure is None:
                log.info(
                    "what-if: pieces up after %.1f simulated s; %d callers planned",
                    sim.now_s(),
                    len(callers.arrivals),
                )
                await _play(sim, callers, driver, opts, lead_s + window_s, sim_at, progress)
                failure = await _settle(rt, settings)
        finally:
            for task in pieces:
                task.cancel()
    if failure is not None:
        raise WhatIfError(failure)
    return {
        "late_steps": len(driver.late),
        "steps_done": driver.done,
        "callers_arrived": callers.arrived,
        "callers_left": callers.callers_alive(sim.engine),
        "sim_end_s": sim.now_s() - lead_s,
    }


async def _play(
    sim: Simulator,
    callers: Callers,
    driver: RosterDriver,
    opts: WhatIfOptions,
    end_s: float,
    sim_at: Callable[[], datetime],
    progress: Callable[[str], None],
) -> None:
    """The roster played through the period, then until every caller of the period is answered
    or gone, then a little longer for the wrap-ups and the router's timers."""
    while sim.now_s() < end_s:
        await driver.step(sim_at())
        progress("simulating")
        await asyncio.sleep(opts.poll_wall_s)
    while (
        callers.callers_alive(sim.engine) or callers.arrived < len(callers.arrivals)
    ) and sim.now_s() < end_s + opts.drain_max_s:
        await driver.step(sim_at())
        progress("draining")
        await asyncio.sleep(opts.poll_wall_s)
    quiet_until = sim.now_s() + opts.wrap_s + 5
    while sim.now_s() < quiet_until:
        await driver.step(sim_at())
        await asyncio.sleep(opts.poll_wall_s)
    progress("storing")


async def _settle(rt: Any, settings: Settings) -> str | None:
    """Wait until the store writer has everything (twice in a row, a little apart); returns
    what went wrong, if anything."""
    group = settings.store.consumer_group
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    in_a_row = 0
    while in_a_row < 2:
        if time.monotonic() > deadline:
            return f"the store writer did not catch up within {SETTLE_TIMEOUT_S:.0f} s"
        await asyncio.sleep(0.2)
        in_a_row = in_a_row + 1 if await _store_caught_up(rt.redis, rt.streams, group) else 0
    return None
