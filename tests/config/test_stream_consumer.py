"""The one stream consumer every piece reads through: own pending entries first, a dead
consumer's taken over (and the consumer removed), one live process per name, a group that Redis
lost created again, passing failures waited out and nothing acknowledged before it is handled."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import redis.asyncio as aioredis

from config.embedded_redis import EmbeddedRedis
from kernel.liveness import PieceStatus
from kernel.stream_consumer import ConsumerNameTaken, Entry, StreamConsumer

GROUP = "g"


class Recorder:
    """A handler that records what it was given; ``fail`` makes the next calls raise."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail: list[BaseException] = []
        self.calls = 0

    async def __call__(self, entries: list[Entry]) -> None:
        self.calls += 1
        if self.fail:
            raise self.fail.pop(0)
        self.seen += [f["n"] for _, f in entries]


async def add(redis: aioredis.Redis, stream: str, *numbers: int) -> None:
    for n in numbers:
        await redis.xadd(stream, {"n": str(n)})


async def pending(redis: aioredis.Redis, stream: str) -> int:
    return int((await redis.xpending(stream, GROUP))["pending"])


async def eventually(predicate: Any, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await predicate():  # noqa: ASYNC110 - a condition over Redis, no event
            await asyncio.sleep(0.02)


@asynccontextmanager
async def running(consumer: StreamConsumer) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(consumer.run())
    try:
        yield task
    finally:
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=10)
        assert done, "the consumer did not stop when cancelled"


def consumer(
    redis: aioredis.Redis, stream: str, name: str, handle: Any, **kw: Any
) -> StreamConsumer:
    kw.setdefault("block_ms", 20)
    return StreamConsumer(redis, stream, GROUP, name, handle, **kw)


async def test_a_restarted_consumer_handles_its_own_pending_entries_first(redis, prefix):
    stream = f"{prefix}:s"
    first = consumer(redis, stream, "c1", Recorder())
    await first.ensure_group()
    await add(redis, stream, 1, 2, 3)
    assert len(await first.read(">")) == 3  # delivered, then the process died: no ack
    await add(redis, stream, 4)
    handler = Recorder()
    again = consumer(redis, stream, "c1", handler, batch=2)
    async with running(again):
        await eventually(lambda: pending_is(redis, stream, 0, handler, 4))
    assert handler.seen == ["1", "2", "3", "4"]


async def pending_is(redis, stream, n: int, handler: Recorder, seen: int) -> bool:
    return len(handler.seen) >= seen and await pending(redis, stream) == n


async def test_a_dead_consumers_entries_are_taken_over_and_it_leaves_the_group(redis, prefix):
    stream = f"{prefix}:s"
    dead = consumer(redis, stream, "dead", Recorder())
    await dead.ensure_group()
    await add(redis, stream, 1, 2)
    assert len(await dead.read(">")) == 2
    handler = Recorder()
    live = consumer(redis, stream, "live", handler, claim_idle_ms=100)
    async with running(live):

        async def gone() -> bool:
            names = [c["name"] for c in await redis.xinfo_consumers(stream, GROUP)]
            return names == ["live"]

        await eventually(gone)
    assert handler.seen == ["1", "2"] and await pending(redis, stream) == 0


async def test_a_consumer_with_a_lock_is_not_removed(redis, prefix):
    stream = f"{prefix}:s"
    handler = Recorder()
    first = consumer(redis, stream, "one", handler, claim_idle_ms=50)
    second = consumer(redis, stream, "two", Recorder(), claim_idle_ms=50)
    await first.ensure_group()
    async with running(first), running(second):
        await add(redis, stream, 1)
        await eventually(lambda: pending_is(redis, stream, 0, handler, 0))
        await asyncio.sleep(0.3)  # several claim rounds, both idle and at 0 pending
        names = sorted(c["name"] for c in await redis.xinfo_consumers(stream, GROUP))
    assert names == ["one", "two"]


async def test_a_second_live_consumer_of_the_same_name_stops_naming_the_key(redis, prefix):
    stream = f"{prefix}:s"
    first = consumer(redis, stream, "same", Recorder())
    async with running(first):
        await eventually(lambda: redis.exists(first.lock_key))
        second = consumer(redis, stream, "same", Recorder(), named_by="store.consumer")
        with pytest.raises(ConsumerNameTaken) as caught:
            await second.run()
    assert caught.value.key == f"{stream}:consumer-lock:{GROUP}:same"
    assert caught.value.key in str(caught.value) and "store.consumer" in str(caught.value)


async def test_a_lock_left_by_a_killed_process_on_this_host_is_taken_over(redis, prefix):
    stream = f"{prefix}:s"
    gone = await asyncio.create_subprocess_exec("true")
    await gone.wait()
    handler = Recorder()
    c = consumer(redis, stream, "again", handler)
    await redis.set(c.lock_key, f"{socket.gethostname()}:{gone.pid}:dead", px=60_000)
    await add(redis, stream, 1)
    async with running(c):
        await eventually(lambda: pending_is(redis, stream, 0, handler, 1))
        assert (await redis.get(c.lock_key)).startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert await redis.get(c.lock_key) is None  # released when it stopped


async def test_a_group_redis_lost_is_created_again_and_the_loss_reported(redis, prefix):
    stream = f"{prefix}:s"
    handler = Recorder()
    lost = asyncio.Event()

    async def on_lost() -> None:
        lost.set()

    c = consumer(redis, stream, "c", handler, on_group_lost=on_lost)
    async with running(c):
        await add(redis, stream, 1)
        await eventually(lambda: pending_is(redis, stream, 0, handler, 1))
        await redis.delete(stream)  # what a Redis that comes back empty looks like
        await add(redis, stream, 2, 3)  # written before the group is back: still read
        await eventually(lambda: pending_is(redis, stream, 0, handler, 3))
    assert lost.is_set() and c.groups_lost == 1
    assert handler.seen == ["1", "2", "3"]


class Passing(Exception):
    """A failure the caller says is worth waiting out (the database away)."""


async def test_passing_failures_are_retried_without_skipping_or_acknowledging(redis, prefix):
    stream = f"{prefix}:s"
    handler = Recorder()
    handler.fail = [Passing("database away"), Passing("still away")]
    health = PieceStatus("test")
    c = consumer(
        redis, stream, "c", handler, transient=lambda e: isinstance(e, Passing), health=health
    )
    await c.ensure_group()
    await add(redis, stream, 1, 2)
    async with running(c):
        await eventually(lambda: pending_is(redis, stream, 0, handler, 2))

        async def up() -> bool:
            return health.state == "up"

        await eventually(up)
    assert handler.seen == ["1", "2"] and handler.calls == 3
    assert "still away" in (health.last_error or "")


async def test_other_failures_are_raised_and_leave_the_entries_pending(redis, prefix):
    stream = f"{prefix}:s"
    handler = Recorder()
    handler.fail = [ValueError("a bug")]
    c = consumer(redis, stream, "c", handler)
    await c.ensure_group()
    await add(redis, stream, 1)
    with pytest.raises(ExceptionGroup) as caught:
        await asyncio.wait_for(c.run(), 10)
    assert caught.group_contains(ValueError, match="a bug")
    assert await pending(redis, stream) == 1
    assert await redis.get(c.lock_key) is None


@pytest.mark.timeout(60)
async def test_redis_stopped_and_started_again_loses_nothing(tmp_path):
    """A real redis-server (append-only file) stopped twice while entries are written."""
    server = EmbeddedRedis(tmp_path, persist=True).start()
    client = aioredis.from_url(server.url, decode_responses=True)
    writer = aioredis.from_url(server.url, decode_responses=True)
    health = PieceStatus("test")
    handler = Recorder()
    c = consumer(client, "s", "c", handler, health=health)
    try:
        async with running(c) as task:
            written = 0
            for _round in range(2):
                for _ in range(20):
                    written += 1
                    await add(writer, "s", written)
                server.stop()
                await asyncio.sleep(1.0)
                server.start()
                for _ in range(20):
                    written += 1
                    await add(writer, "s", written)
                await eventually(lambda n=written: pending_is(writer, "s", 0, handler, n), 20)
            assert not task.done()
        assert sorted(set(handler.seen), key=int) == [str(n) for n in range(1, written + 1)]
        assert health.state != "retrying"
    finally:
        await client.aclose()
        await writer.aclose()
        server.stop()
