"""Fault tests: a bridge that (re)starts finds the truth in Asterisk.

Real parts: the embedded redis-server, the PBX simulator on loopback TCP at real speed with its
Poisson traffic (its phones answer, talk and hang up on their own), the router and the store
writer (SQLite) in this process, the agents logged in through the agent-actions service, and
``callcenter bridge`` as a separate process, so that it can be SIGKILLed.

(b) The bridge is killed (SIGKILL) and started again ten times during 400 calls, with the
    simulator writing Master.csv and ``[ami] cdr_csv`` pointing at it: every call the PBX had is
    in ``calls`` once, ended, with the outcome the PBX knows; no agent is left on a call or
    offered one.
(c) The simulator (Asterisk) is stopped while calls are up and a new one starts on the same
    port: every call ends, every agent is free.

The expected figures come from the simulator's own view of its channels (``pbx_rig.Oracle``).
Waits are bounded polls of outcomes; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import Oracle
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.keys import StreamNames
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.live_calls import routed_calls
from queueing.routing import Routing
from queueing.service import Router
from store.models.core import Call, CallEvent
from store.writer import StoreWriter
from telephony.simulator import Scenario, Simulator, build_simulator
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

# the store on SQLite; each test has its own bound (it takes a few minutes on 2 cores)
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
USER, SECRET = "cc", "ccsecret"
ONCE = ("call.arrived", "call.answered", "call.abandoned", "call.ended")  # per call, at most once
ROOT = Path(__file__).parents[2]


def scenario(agents: list[str], calls_per_hour: float, minutes: int) -> Scenario:
    """Calls at ``calls_per_hour`` for the last ``minutes`` of hour 9, none after: the traffic
    ends by itself. Short talks so that hundreds of calls fit in a few minutes."""
    curve = [0.0] * 24
    curve[9] = calls_per_hour
    return Scenario(
        start_hour=10 - minutes / 60,
        queues=[
            QueueTraffic(
                queue="sales",
                did="5000",
                daily_curve=curve,
                patience_s=Dist(kind="exponential", mean=45),
                talk_s=Dist(kind="uniform", low=4, high=18),
                wrap_up_s=Dist(kind="fixed", mean=1),
                key_account_share=0.0,
                vip_share=0.0,
            )
        ],
        agents=[
            AgentPhone(
                agent_id=a,
                answer_delay_s=Dist(kind="uniform", low=0.5, high=3),
                no_answer_p=0.03,
                hold_p=0.0,
            )
            for a in agents
        ],
        unknown_endpoints_answer=False,
    )


def settings_data(
    redis_url: str, prefix: str, db_url: str, tmp: Path, port: int, agents: list[str], cdr: Path
) -> dict[str, Any]:
    return {
        "redis_url": redis_url,
        "redis_prefix": prefix,
        "db_url": db_url,
        "var_dir": str(tmp / "var"),
        "ami": {
            "host": "127.0.0.1",
            "port": port,
            "username": USER,
            "secret": SECRET,
            "reconnect_max_s": 0.5,
            "cdr_csv": str(cdr),
        },
        "routing": {"tick_ms": 50},
        "skills": [{"id": "sales"}],
        "queues": [
            {
                "id": "sales",
                "did": ["5000"],
                "skills": {"sales": 1},
                "ring_timeout_s": 20,
                "wrap_up_s": 2,
            }
        ],
        "agents": [{"id": a, "skills": {"sales": 1}} for a in agents],
    }


async def pbx(
    agents: list[str], calls_per_hour: float, minutes: int, seed: int, cdr: Path, port: int = 0
) -> tuple[Simulator, Oracle]:
    """A started simulator at real speed writing ``cdr``, and the oracle watching it."""
    sim = build_simulator(
        scenario=scenario(agents, calls_per_hour, minutes),
        username=USER,
        secret=SECRET,
        speed=1.0,
        seed=seed,
        port=port,
        cdr_csv=cdr,
    )
    oracle = Oracle().attach(sim.engine)
    await sim.start()
    return sim, oracle


def bridge_for(data: dict[str, Any], tmp: Path) -> tuple[Settings, BridgeProcess]:
    """The settings, and a bridge process reading them from a file."""
    config = tmp / "callcenter.toml"
    config.write_text(toml(data))
    return Settings.model_validate(data), BridgeProcess(config, tmp / "bridge.log")


def toml(data: dict[str, Any]) -> str:
    """The settings as TOML (JSON strings, numbers and inline tables are valid TOML)."""

    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v)

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict | list)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f"{kk} = {value(vv)}" for kk, vv in v.items()]
    for k, v in data.items():
        if isinstance(v, list):
            for item in v:
                lines.append(f"[[{k}]]")
                lines += [f"{kk} = {value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


class BridgeProcess:
    """``callcenter bridge`` in its own process group, started and SIGKILLed at will."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "callcenter"),
                "--config",
                str(self.config),
                "bridge",
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=out,
                start_new_session=True,
            )
        self.starts += 1

    async def kill(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            async with asyncio.timeout(30):
                await self.proc.wait()
            self.proc = None


async def until(check: Callable[[], Awaitable[bool]], what: str, limit_s: float) -> None:
    """Poll ``check`` until it holds; a bound against hanging, not a speed check."""
    try:
        async with asyncio.timeout(limit_s):
            while not await check():  # noqa: ASYNC110 (state in other processes)
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise AssertionError(f"not reached: {what}") from None


@contextlib.asynccontextmanager
async def platform(
    redis: aioredis.Redis, engine: AsyncEngine, settings: Settings, agents: list[str]
) -> AsyncIterator[Routing]:
    """Router, store writer and a supervisor who puts agents back to ready after a missed
    offer (rona), running in this process; the agents logged in and ready."""
    routing = Routing(redis, settings)
    router = Router(routing, block_ms=50)
    writer = StoreWriter(redis, engine, StreamNames(settings.redis_prefix), consumer="it")
    actions = AgentActions(routing)

    async def supervisor() -> None:
        while True:
            for agent in agents:
                state = await actions.state(agent)
                if state.get("state") == "not_ready":
                    await actions.ready(agent)
            await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(router.run(), name="router")]
    await router.started.wait()
    await writer.ensure_group()
    tasks.append(asyncio.create_task(writer.run(), name="writer"))
    for agent in agents:
        await actions.login(agent, ready=True)
    tasks.append(asyncio.create_task(supervisor(), name="supervisor"))
    try:
        yield routing
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def stuck_agents(routing: Routing, agents: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for agent in agents:
        state = await routing.client.hget(routing.keys("default").agent(agent), "state")
        if state in ("on_call", "offered"):
            out[agent] = state
    return out


async def store_view(engine: AsyncEngine) -> tuple[dict[str, Any], list[Any]]:
    async with engine.connect() as conn:
        rows = {r.call_id: r for r in (await conn.execute(select(Call))).all()}
        events = (
            await conn.execute(
                select(CallEvent.call_id, CallEvent.type, CallEvent.payload).where(
                    CallEvent.type.like("call.%")
                )
            )
        ).all()
    return rows, list(events)


def drained(sim: Simulator, oracle: Oracle, minutes: int) -> Callable[[], Awaitable[bool]]:
    """The scenario's calls have all arrived, and all are over."""

    async def check() -> bool:
        over = sim.now_s() >= minutes * 60
        return over and not sim.engine.channels and all(r.gone for r in oracle.parties.values())

    return check


@pytest.mark.timeout(600)
async def test_bridge_killed_ten_times_during_400_calls_loses_and_strands_nothing(
    redis_url: str, redis: aioredis.Redis, prefix: str, engine: AsyncEngine, db_url: str, tmp_path
) -> None:
    agents = [str(n) for n in range(1001, 1033)]
    cdr = tmp_path / "Master.csv"
    sim, oracle = await pbx(agents, calls_per_hour=6600, minutes=4, seed=14, cdr=cdr)
    data = settings_data(redis_url, prefix, db_url, tmp_path, sim.port, agents, cdr)
    settings, bridge = bridge_for(data, tmp_path)
    rng = random.Random(14)
    try:
        async with platform(redis, engine, settings, agents) as routing:
            await bridge.start()
            for _ in range(10):
                await asyncio.sleep(rng.uniform(15, 22))
                await bridge.kill()
                await asyncio.sleep(rng.uniform(0.5, 4))
                await bridge.start()
            await until(drained(sim, oracle, 4), "traffic over", 240)

            callers = {r.call_id: r for r in oracle.of_kind("caller")}

            async def settled() -> bool:
                rows, _ = await store_view(engine)
                return (
                    set(callers) <= set(rows)
                    and all(r.ended_at is not None for r in rows.values())
                    and not await routed_calls(routing)
                    and not await stuck_agents(routing, agents)
                )

            await until(settled, "platform settled", 120)
            rows, events = await store_view(engine)
            stuck = await stuck_agents(routing, agents)
            live = await routed_calls(routing)
    finally:
        await bridge.stop()
        await sim.stop()

    assert bridge.starts == 11
    assert len(callers) >= 380  # about 440 drawn
    # 0 lost, 0 extra (no call "(null)", none twice): exactly the PBX's calls
    assert set(rows) == set(callers)
    # 0 doubled: each transition of each call once
    per_call = Counter((e.call_id, e.type) for e in events if e.type in ONCE)
    assert all(per_call[(c, "call.arrived")] == 1 for c in callers)
    assert all(per_call[(c, "call.ended")] == 1 for c in callers)
    assert max(per_call.values()) == 1
    # 0 open, and each outcome is what the PBX saw
    assert all(r.ended_at is not None for r in rows.values())
    outcomes = {c: rows[c].outcome for c in callers}
    assert outcomes == {c: ("answered" if r.bridged else "abandoned") for c, r in callers.items()}
    # 0 stuck agents, nothing left live in the router
    assert stuck == {} and live == []
    # what the test is about happened: gaps, calls ended from the CDR or backfilled whole
    reasons = Counter((e.payload or {}).get("reason") for e in events if e.type == "call.ended")
    assert reasons["backfilled"] > 0
    async with engine.connect() as conn:
        gaps = (
            await conn.execute(select(CallEvent.event_id).where(CallEvent.type == "telephony.gap"))
        ).all()
    assert len(gaps) >= 10


@pytest.mark.timeout(600)
async def test_asterisk_restarted_with_calls_up_every_call_ends_every_agent_is_free(
    redis_url: str, redis: aioredis.Redis, prefix: str, engine: AsyncEngine, db_url: str, tmp_path
) -> None:
    agents = [str(n) for n in range(1001, 1021)]
    cdr = tmp_path / "Master.csv"
    first, oracle = await pbx(agents, calls_per_hour=3600, minutes=2, seed=15, cdr=cdr)
    port = first.port
    data = settings_data(redis_url, prefix, db_url, tmp_path, port, agents, cdr)
    settings, bridge = bridge_for(data, tmp_path)
    second: Simulator | None = None
    try:
        async with platform(redis, engine, settings, agents) as routing:
            await bridge.start()

            async def busy() -> bool:  # calls up: agents talking and callers waiting
                talking = await routed_calls(routing)
                return sum(1 for c in talking if c.state == "connected") >= 5

            await until(busy, "calls up", 120)
            await first.stop()  # Asterisk goes away with its calls (no CDR for them: a crash)
            was_up = {r.call_id for r in oracle.of_kind("caller") if not r.gone}
            # a new Asterisk on the same address: no channels, new calls
            second, oracle2 = await pbx(agents, 3600, minutes=1, seed=16, cdr=cdr, port=port)
            await until(drained(second, oracle2, 1), "new traffic over", 240)

            async def settled() -> bool:
                rows, _ = await store_view(engine)
                return (
                    all(r.ended_at is not None for r in rows.values())
                    and not await routed_calls(routing)
                    and not await stuck_agents(routing, agents)
                )

            await until(settled, "platform settled", 120)
            rows, events = await store_view(engine)
            stuck = await stuck_agents(routing, agents)
            agent_states = {a: (await AgentActions(routing).state(a)).get("state") for a in agents}
    finally:
        await bridge.stop()
        if second is not None:
            await second.stop()

    assert len(was_up) >= 5
    # every call of the old Asterisk ended, each once; the new one's calls too
    assert was_up <= set(rows)
    assert {r.call_id for r in oracle2.of_kind("caller")} <= set(rows)
    assert all(r.ended_at is not None for r in rows.values())
    per_call = Counter((e.call_id, e.type) for e in events if e.type in ONCE)
    assert max(per_call.values()) == 1
    ended_by_gap = {
        e.call_id for e in events if e.type == "call.ended" and (e.payload or {}).get("reason")
    }
    assert was_up <= ended_by_gap  # ended by the reconcile, not by a Hangup nobody sent
    # every agent free: ready or wrapping up, none on a call or offered one
    assert stuck == {}
    assert set(agent_states.values()) <= {"ready", "wrap_up"}
