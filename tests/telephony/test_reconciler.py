"""The reconcile's edge: what it reads of the platform (the store's open calls, the last-heard
time in Redis) and what it leaves alone, against a real Redis and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.events import DomainEvent, make_event_id
from kernel.settings import Settings
from store.writer import write_events
from telephony.reconciler import LastHeard, Reconciler

NOW = datetime.now(UTC).replace(microsecond=0)


def ev(call: str, transition: str, type_: str, agent: str | None = None, **p: object):
    return DomainEvent(
        make_event_id(call, transition), NOW - timedelta(minutes=3), type_, call, agent, p
    )


async def test_open_calls_without_a_channel_of_their_own_are_left_alone(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> None:
    """Open in the store, gone from Asterisk: an inbound call and an answered outbound call
    end; a callback's dial still waiting for its turn (queued, never dialled) does not."""
    async with engine.begin() as conn:
        await write_events(
            conn,
            [
                ev("in1", "arrived", "call.arrived", direction="inbound", queue="sales"),
                ev("out1", "originated", "call.originated", "1001", direction="outbound"),
                ev("out1", "answered", "call.answered", "1001", agent_id="1001"),
                ev("c9-cb", "queued", "call.queued", queue="sales", direction="outbound"),
            ],
        )
    settings = Settings.model_validate({"redis_prefix": prefix, "ami": {"host": "pbx"}})
    reconciler = Reconciler(settings, redis, engine, "pbx:5038")
    await LastHeard(redis, prefix, "pbx:5038").beat(NOW - timedelta(seconds=30))
    plan = await reconciler.run([], set(), NOW)
    assert plan.ended_by_guess == ["in1", "out1"]
    gap = plan.events[0]
    assert (gap.type, gap.payload["from_at"]) == (
        "telephony.gap",
        (NOW - timedelta(seconds=30)).isoformat(),
    )
    # the heartbeat: one key per Asterisk, the time it was last heard
    await reconciler.heard_now()
    assert await LastHeard(redis, prefix, "pbx:5038").get() >= NOW
