"""The outbound scheduler's test rig: the scheduler, a router and agent actions on one routing and
a manual clock; telephony played by events written to the stream as the bridge writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kernel.commands import Command
from kernel.events import DomainEvent
from kernel.keys import DomainKeys, StreamNames
from kernel.settings import Settings
from outbound.scheduler import OutboundScheduler
from outbound.tasks import OutboundConfig
from queueing.actions import AgentActions
from queueing.routing import Routing
from queueing.service import Router

T0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday, inside 09:00-20:00 UTC


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.t = at.timestamp()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)


def make_settings(prefix: str) -> Settings:
    return Settings.model_validate(
        {
            "redis_prefix": prefix,
            "timezone": "UTC",
            "queues": [{"id": "care", "skills": {"care": 1}, "wrap_up_s": 0, "ring_timeout_s": 15}],
            "outbound": {"queue": "care", "retry_delay_min": 30, "max_attempts": 2},
        }
    )


async def pieces(engine, redis, prefix) -> dict[str, Any]:
    """The scheduler, a router and the agent actions on one routing, all on a manual clock."""
    clock = Clock()
    settings = make_settings(prefix)
    routing = Routing(redis, settings, clock=clock)
    await routing.setup()
    config = OutboundConfig.from_settings(settings)
    scheduler = OutboundScheduler(engine, routing, config, clock=clock, stale_s=60, block_ms=10)
    await scheduler.ensure_group()
    router = Router(routing, block_ms=10)
    await router.stream.ensure_group()
    return {
        "clock": clock,
        "settings": settings,
        "routing": routing,
        "config": config,
        "scheduler": scheduler,
        "router": router,
        "actions": AgentActions(routing),
        "keys": DomainKeys(prefix, "default"),
    }


async def commands(redis, prefix) -> list[Command]:
    return [Command.from_fields(f) for _, f in await redis.xrange(StreamNames(prefix).commands)]


async def telephony(
    redis, prefix, type_: str, call_id: str, at: datetime, agent_id: str | None = None, **payload
) -> None:
    event = DomainEvent(
        id=f"{type_}:{call_id}",
        ts=at,
        type=type_,
        call_id=call_id,
        agent_id=agent_id,
        payload=payload,
    )
    await redis.xadd(StreamNames(prefix).events, event.to_fields())


async def pump(w: dict[str, Any], redis, prefix) -> None:
    """Let the router and the scheduler consume everything on the events stream."""
    stream = StreamNames(prefix).events
    for _ in range(5):
        resp = await redis.xreadgroup(w["router"].group, "r1", {stream: ">"}, count=1000)
        for _s, entries in resp or []:
            await w["router"].handle(entries)
        await w["scheduler"].stream.drain()
