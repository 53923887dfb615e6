"""Shared helpers of the router tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import Settings
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router

T0 = 1_760_000_000.0  # 2025-10-09T08:53:20Z


class Clock:
    """Seconds since the epoch; moves only when the test says so."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t

    @property
    def ms(self) -> int:
        return int(self.t * 1000)


def make_settings(prefix: str, queues: list[dict[str, Any]], **routing: Any) -> Settings:
    return Settings.model_validate({"redis_prefix": prefix, "queues": queues, "routing": routing})


async def emit(
    redis: Any,
    prefix: str,
    type_: str,
    *,
    call_id: str | None = None,
    agent_id: str | None = None,
    payload: dict[str, Any] | None = None,
    at: float,
    event_id: str | None = None,
) -> None:
    event = DomainEvent(
        id=event_id or f"{type_}:{call_id}:{agent_id}:{at}",
        ts=datetime.fromtimestamp(at, UTC),
        type=type_,
        call_id=call_id,
        agent_id=agent_id,
        payload=payload or {},
    )
    await redis.xadd(StreamNames(prefix).events, event.to_fields())


async def read_stream(redis: Any, stream: str) -> list[dict[str, str]]:
    return [fields for _id, fields in await redis.xrange(stream)]


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Poll until ``check`` holds (a bounded wait for asynchronous work, not a timing assert)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(*routers: Router) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(r.run()) for r in routers]
    try:
        for r, t in zip(routers, tasks, strict=True):
            started = asyncio.create_task(r.started.wait())
            done, _ = await asyncio.wait({started, t}, return_when=asyncio.FIRST_COMPLETED)
            if t in done:
                t.result()
            started.cancel()
        yield
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t


def routing_for(client: Any, settings: Settings, clock: Clock) -> tuple[Routing, AgentActions]:
    routing = Routing(client, settings, clock=clock)
    return routing, AgentActions(routing)
