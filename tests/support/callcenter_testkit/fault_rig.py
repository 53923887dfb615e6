"""Test helper, not a test: the platform as it runs for real, for fault tests.

``callcenter serve`` in a subprocess (its log in the test's directory), a redis-server of the
test's own (append-only file, stopped and started by pid), the PBX simulator in the test's
process over TCP at real speed with a burst of inbound traffic, and the agents logged in over
Redis as their dashboards would. ``Calls`` watches the simulator's callers (the truth the store
is compared with).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter_testkit.cli_run import free_port, healthz, run, start
from config.embedded_redis import EmbeddedRedis
from kernel.keys import StreamNames
from kernel.settings import Settings, load_settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from store.models.core import AgentState, Call
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.bursts import burst
from telephony.simulator.engine import Engine
from telephony.simulator.model import Channel

USER, SECRET = "cc", "ccsecret"
AGENTS = [str(n) for n in range(2001, 2031)]
BUSY = ("on_call", "offered")


def scenario(window_s: float, calls_per_hour: float, seed: int = 7) -> Scenario:
    """Inbound calls to ``sales`` for ``window_s`` seconds, then none, for the 30 agents."""
    return burst(
        "sales", "5000", AGENTS, window_s=window_s, calls_per_hour=calls_per_hour, seed=seed
    )


def settings_toml(
    *, redis_url: str, prefix: str, var_dir: Path, ami_port: int, web_port: int, db_url: str = ""
) -> str:
    agents = "".join(
        f'[[agents]]\nid = "{a}"\nskills = {{ sales = 5 }}\n' for a in AGENTS
    )  # fmt: skip
    db = f'db_url = "{db_url}"\n' if db_url else ""
    return (
        f'redis_url = "{redis_url}"\nredis_prefix = "{prefix}"\nvar_dir = "{var_dir}"\n{db}'
        f'[ami]\nhost = "127.0.0.1"\nport = {ami_port}\nusername = "{USER}"\n'
        f'secret = "{SECRET}"\nreconnect_max_s = 1.0\n'
        f"[web]\nport = {web_port}\n"
        "[routing]\ntick_ms = 50\n"
        '[[skills]]\nid = "sales"\n'
        '[[queues]]\nid = "sales"\nskills = { sales = 1 }\ndid = ["5000"]\n'
        "ring_timeout_s = 15\nwrap_up_s = 1\n" + agents
    )


@dataclass
class CallerRecord:
    call_id: str
    gone: bool = False
    bridged: bool = False


@dataclass
class Calls:
    """The simulator's callers, by their call id (the caller channel's linkedid)."""

    by_channel: dict[str, CallerRecord] = field(default_factory=dict)

    def attach(self, engine: Engine) -> Calls:
        engine.listeners.append(self._on_channel)
        return self

    def _on_channel(self, engine: Engine, what: str, ch: Channel) -> None:
        if ch.device is None or ch.device.kind != "caller":
            return
        record = self.by_channel.setdefault(ch.name, CallerRecord(ch.linkedid))
        if what == "bridged":
            record.bridged = True
        elif what == "hangup":
            record.gone = True

    @property
    def completed(self) -> set[str]:
        return {r.call_id for r in self.by_channel.values() if r.gone}


@dataclass
class Serve:
    """``callcenter serve`` in a subprocess."""

    proc: subprocess.Popen[bytes]
    log: Path
    web_port: int

    @classmethod
    def start(cls, config: Path, pieces: list[str], web_port: int) -> Serve:
        log = config.with_suffix(".log")
        args = ["--config", str(config), "serve"]
        for piece in pieces:
            args += ["--only", piece]
        return cls(start(args, {}, config.parent, log), log, web_port)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-8000:]

    async def answer(self) -> tuple[int, dict[str, Any]]:
        """``/healthz`` once the process answers (failing if it exited)."""
        async with asyncio.timeout(120):
            while True:
                answer = await asyncio.to_thread(healthz, self.web_port)
                if answer is not None:
                    return answer
                assert self.proc.poll() is None, self.tail()
                await asyncio.sleep(0.2)

    async def until(self, check: Any, what: str, timeout_s: float = 120) -> dict[str, Any]:
        """``/healthz``'s body once ``check(body)`` holds."""
        deadline = time.monotonic() + timeout_s
        while True:
            _status, body = await self.answer()
            if check(body):
                return body
            assert time.monotonic() < deadline, f"{what}: {body}\n{self.tail()}"
            await asyncio.sleep(0.2)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@dataclass
class Platform:
    """``serve`` running against the test's redis-server, agents logged in, ready for calls."""

    redis_server: EmbeddedRedis
    settings: Settings
    client: aioredis.Redis
    serve: Serve
    ami_port: int

    def traffic(self, window_s: float, calls_per_hour: float, seed: int = 7) -> Any:
        """The simulator (``async with``) on the port the bridge calls, with a burst of calls."""
        return start_simulator(
            scenario=scenario(window_s, calls_per_hour, seed),
            username=USER,
            secret=SECRET,
            port=self.ami_port,
            speed=1.0,
        )


@asynccontextmanager
async def platform(
    tmp_path: Path, prefix: str, *, persist_redis: bool = True, db_url: str = ""
) -> AsyncIterator[Platform]:
    """Start it all (``db upgrade`` first on a database of its own); stop it all afterwards."""
    redis_server = EmbeddedRedis(tmp_path / "redis", persist=persist_redis).start()
    ami_port, web_port = free_port(), free_port()
    config = tmp_path / "callcenter.toml"
    config.write_text(
        settings_toml(
            redis_url=redis_server.url,
            prefix=prefix,
            var_dir=tmp_path / "var",
            ami_port=ami_port,
            web_port=web_port,
            db_url=db_url,
        )
    )
    settings = load_settings({}, config)
    client = aioredis.from_url(redis_server.url, decode_responses=True)
    serve: Serve | None = None
    try:
        if db_url:
            upgraded = run(["--config", str(config), "db", "upgrade"], {}, tmp_path, timeout=120)
            assert upgraded.returncode == 0, upgraded.stderr
        serve = Serve.start(config, ["store-writer", "router", "bridge", "web"], web_port)
        await serve.until(lambda b: b["ok"], "serve up")
        await log_in_agents(client, settings)
        yield Platform(redis_server, settings, client, serve, ami_port)
    finally:
        if serve is not None:
            serve.stop()
        await client.aclose()
        redis_server.stop()


async def log_in_agents(client: aioredis.Redis, settings: Settings) -> None:
    actions = AgentActions(Routing(client, settings))
    for agent_id in AGENTS:
        await actions.login(agent_id, ready=True)


async def busy_agents(client: aioredis.Redis, settings: Settings) -> dict[str, str]:
    """Agents the router has on a call or offered one, with their state."""
    actions = AgentActions(Routing(client, settings))
    found = {}
    for agent_id in AGENTS:
        state = (await actions.state(agent_id)).get("state", "")
        if state in BUSY:
            found[agent_id] = state
    return found


async def store_caught_up(client: aioredis.Redis, settings: Settings) -> bool:
    """The store writer has acknowledged every entry of the events stream."""
    stream = StreamNames(settings.redis_prefix).events
    newest = await client.xrevrange(stream, count=1)
    for group in await client.xinfo_groups(stream):
        if group["name"] == settings.store.consumer_group:
            caught_up = not newest or group["last-delivered-id"] == newest[0][0]
            return caught_up and int(group["pending"]) == 0
    return False


async def stored(engine: AsyncEngine) -> tuple[dict[str, Any], list[Any]]:
    """The ``calls`` rows by call id, and the agent-state intervals still open."""
    async with engine.connect() as conn:
        calls = {r.call_id: r for r in (await conn.execute(select(Call))).all()}
        t = AgentState.__table__
        open_states = (await conn.execute(select(t).where(t.c.end_at.is_(None)))).all()
    return calls, open_states


async def drained(sim: Any, client: aioredis.Redis, settings: Settings) -> None:
    """Every caller of the simulator is gone and the store has everything, including what the
    router's timers publish after the last call (wrap-up ends)."""
    while sim.engine.channels or not await store_caught_up(client, settings):  # noqa: ASYNC110
        await asyncio.sleep(1.0)
    await asyncio.sleep(3.0)
    while not await store_caught_up(client, settings):  # noqa: ASYNC110
        await asyncio.sleep(0.5)
