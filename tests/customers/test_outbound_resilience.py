"""The outbound scheduler's loops against what made ``test_two_hundred_return_visits`` hang:

- a cancellation that redis-py swallows (8.1 on Python 3.11: ``asyncio.wait_for`` around its
  socket write returns the finished write's result when the cancellation lands in the same
  loop turn, and drops the cancellation). The dispatch loop went on for ever, so its
  TaskGroup, and the test that had cancelled the scheduler, waited for ever;
- a failing outbound script is logged with its calls and tasks, the loop goes on, and the
  claimed attempt is queued again once the script works.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.events import DomainEvent
from kernel.keys import DomainKeys, StreamNames
from kernel.settings import Settings
from outbound.scheduler import OutboundScheduler
from outbound.tasks import OutboundConfig
from outbound.tasks_store import list_tasks, record_sale
from queueing.routing import Routing
from store.db import refuses_data

T0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday, inside the default calling hours


class SwallowingRedis(aioredis.Redis):
    """Parks the first ``EVALSHA`` until its task is cancelled, then runs it anyway and returns
    normally: deterministically what redis-py does now and then (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parked = asyncio.Event()
        self.swallowed = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if args[0] == "EVALSHA" and not self.parked.is_set():
            self.parked.set()
            try:
                await asyncio.get_running_loop().create_future()  # until cancelled
            except asyncio.CancelledError:
                self.swallowed += 1
        return await super().execute_command(*args, **options)


def make_settings(prefix: str) -> Settings:
    return Settings.model_validate(
        {
            "redis_prefix": prefix,
            "timezone": "UTC",
            "queues": [{"id": "care", "skills": {"care": 1}, "wrap_up_s": 0}],
            "outbound": {"queue": "care"},
        }
    )


async def one_due_task(engine: Any, redis: Any, prefix: str, config: OutboundConfig) -> str:
    await save_customer(
        engine,
        CustomerRecord("c1", "Customer 1", ("+8613800000001",)),
        now=T0,
        default_tz="UTC",
    )
    task_id = await record_sale(
        engine,
        sale_id="s1",
        customer_id="c1",
        sold_at=T0,
        now=T0,
        config=config,
        redis=redis,
        prefix=prefix,
    )
    assert task_id is not None
    return task_id


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the loop, not the store
async def test_scheduler_stops_when_redis_swallows_its_cancellation(engine, redis, prefix) -> None:
    client = SwallowingRedis(connection_pool=redis.connection_pool)
    settings = make_settings(prefix)
    config = OutboundConfig.from_settings(settings)
    await one_due_task(engine, redis, prefix, config)
    scheduler = OutboundScheduler(
        engine, Routing(client, settings), config, poll_s=0.01, block_ms=10, clock=T0.timestamp
    )
    task = asyncio.create_task(scheduler.run(), name="outbound")
    await asyncio.wait_for(client.parked.wait(), 10)  # the dispatch loop is in its EVALSHA

    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=10)

    assert client.swallowed == 1
    assert done, "the scheduler did not stop: its dispatch loop ignored the lost cancellation"
    assert task.cancelled()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_failing_script_is_logged_and_the_attempt_queued_again(
    engine, redis, prefix, caplog
) -> None:
    settings = make_settings(prefix)
    config = OutboundConfig.from_settings(settings)
    routing = Routing(redis, settings)
    keys = DomainKeys(prefix, "default")
    scheduler = OutboundScheduler(
        engine, routing, config, poll_s=0.01, stale_s=0.2, block_ms=10, clock=T0.timestamp
    )
    task = asyncio.create_task(scheduler.run(), name="outbound")
    try:
        await asyncio.wait_for(scheduler.started.wait(), 10)
        await redis.hset(keys.queue_config, "care", "{not json")  # the script fails reading it
        with caplog.at_level(logging.ERROR, logger="outbound.scheduler"):
            task_id = await one_due_task(engine, redis, prefix, config)
            call_id = f"ob-{task_id}-1"

            def logged() -> bool:
                return any(
                    r.levelno == logging.ERROR
                    and call_id in r.getMessage()
                    and task_id in r.getMessage()
                    for r in caplog.records
                )

            for _ in range(500):
                if logged():
                    break
                await asyncio.sleep(0.01)
            assert logged(), [r.getMessage() for r in caplog.records]
        assert not task.done()  # the loop goes on
        assert not await redis.exists(keys.call(call_id))

        await routing.setup()  # the queue settings are right again
        for _ in range(500):
            if await redis.exists(keys.call(call_id)):
                break
            await asyncio.sleep(0.01)
        assert await redis.hget(keys.call(call_id), "task") == task_id  # reconcile queued it
        assert not task.done()
    finally:
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=10)
        assert done
    [task_row] = await list_tasks(engine)
    assert (task_row["status"], task_row["attempts"], task_row["call_id"]) == (
        "queued",
        1,
        call_id,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_bad_queue_setting_fails_the_script_before_any_write(engine, redis, prefix) -> None:
    """Redis does not undo a script that fails half-way: ``outbound.lua`` reads every queue's
    settings first, so the calls before the broken one are not left half-queued either."""
    settings = Settings.model_validate(
        {
            "redis_prefix": prefix,
            "timezone": "UTC",
            "queues": [
                {"id": "care", "skills": {"care": 1}, "wrap_up_s": 0},
                {"id": "sales", "skills": {"sales": 1}, "wrap_up_s": 0},
            ],
            "outbound": {"queue": "care"},
        }
    )
    routing = Routing(redis, settings)
    await routing.setup()
    keys = DomainKeys(prefix, "default")
    await redis.hset(keys.queue_config, "sales", "{not json")
    scheduler = OutboundScheduler(engine, routing, OutboundConfig.from_settings(settings))

    def task(n: int, queue: str) -> dict[str, Any]:
        return {
            "task_id": f"t{n}",
            "call_id": f"ob-t{n}-1",
            "queue_id": queue,
            "tier": "ordinary",
            "customer_id": None,
            "number": "+8613800000001",
            "kind": "callback",
        }

    assert await scheduler._enqueue([task(1, "care"), task(2, "sales")]) == 0
    assert not await redis.exists(keys.call("ob-t1-1"), keys.call("ob-t2-1"))
    assert not await redis.zcard(keys.in_queue("care"))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite ignores lengths
async def test_an_entry_the_store_refuses_is_skipped_and_the_rest_recorded(
    engine, redis, prefix, caplog
) -> None:
    """A number too long for the column (a misbehaving writer): the other callback of the same
    batch is recorded at once; the refused entry is tried again, then logged and skipped."""
    settings = make_settings(prefix)
    routing = Routing(redis, settings)
    await routing.setup()
    scheduler = OutboundScheduler(engine, routing, OutboundConfig.from_settings(settings))
    await scheduler.ensure_group()
    stream = StreamNames(prefix).events
    for call_id, number in (("in1", "+86" + "1" * 42), ("in2", "+8613800000002")):
        event = DomainEvent(
            id=f"cb:{call_id}",
            ts=T0,
            type="outbound.scheduled",
            call_id=call_id,
            payload={"kind": "callback_in_queue", "queue": "care", "number": number},
        )
        await redis.xadd(stream, event.to_fields())
    with caplog.at_level(logging.ERROR, logger="outbound.scheduler"):
        with pytest.raises(DBAPIError):  # the loop would pause, then read its pending entries
            await scheduler.stream.process(await scheduler.stream.read(">"))
        assert [t["source_id"] for t in await list_tasks(engine)] == ["in2"]  # recorded, acked
        assert (await redis.xpending(stream, scheduler.group))["pending"] == 1
        with pytest.raises(DBAPIError):  # refused a second time: still kept
            await scheduler.stream.read_pending()
        await scheduler.stream.read_pending()  # a third: skipped
    [bad] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "skipped" in bad and "value too long" in bad
    assert (await redis.xpending(stream, scheduler.group))["pending"] == 0
    assert [t["source_id"] for t in await list_tasks(engine)] == ["in2"]


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "refused"),
    [
        (DBAPIError("INSERT", {}, _PgError("22001")), True),  # value too long
        (DBAPIError("INSERT", {}, _PgError("23505")), True),  # unique violation
        (DBAPIError("INSERT", {}, _PgError("40P01")), False),  # deadlock
        (DBAPIError("INSERT", {}, _PgError("57P03")), False),  # the database is starting up
        (DBAPIError("INSERT", {}, _PgError("25006")), False),  # read-only after a failover
        (DBAPIError("INSERT", {}, _PgError("22001"), connection_invalidated=True), False),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), True),  # SQLite
        (OperationalError("INSERT", {}, Exception("database is locked")), False),  # SQLite
    ],
)
def test_only_refused_data_counts_as_refused(exc: DBAPIError, refused: bool) -> None:
    assert refuses_data(exc) is refused


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_refused_entry_pending_at_start_does_not_stop_the_scheduler(
    engine, redis, prefix
) -> None:
    """Delivered but not acknowledged when the scheduler stopped: the restarted one (same
    name) meets it first, keeps running, and skips it after its tries."""
    settings = make_settings(prefix)
    routing = Routing(redis, settings)
    await routing.setup()
    config = OutboundConfig.from_settings(settings)
    first = OutboundScheduler(engine, routing, config, consumer="ob")
    await first.ensure_group()
    event = DomainEvent(
        id="cb:in1",
        ts=T0,
        type="outbound.scheduled",
        call_id="in1",
        payload={"kind": "callback_in_queue", "queue": "care", "number": "+86" + "1" * 42},
    )
    stream = StreamNames(prefix).events
    await redis.xadd(stream, event.to_fields())
    with pytest.raises(DBAPIError):
        await first.stream.process(await first.stream.read(">"))  # then it stopped

    again = OutboundScheduler(engine, routing, config, consumer="ob", poll_s=0.01, block_ms=10)
    task = asyncio.create_task(again.run(), name="outbound")
    try:
        for _ in range(500):
            if (await redis.xpending(stream, again.group))["pending"] == 0:
                break
            await asyncio.sleep(0.01)
        assert (await redis.xpending(stream, again.group))["pending"] == 0
        await asyncio.wait_for(again.caught_up.wait(), 10)
        assert not task.done()
    finally:
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=10)
        assert done
    assert await list_tasks(engine) == []
