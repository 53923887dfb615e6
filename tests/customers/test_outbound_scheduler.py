"""The outbound scheduler against a real Redis and the router's scripts (telephony replaced by
events written to the stream the way the bridge writes them): progressive dialling, retries,
no double dialling, repair after a crash between claim and queueing."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from callcenter_testkit.outbound_rig import (
    commands,
    pieces,
    pump,
    telephony,
)
from sqlalchemy import select

from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.keys import StreamNames
from outbound.scheduler import OutboundScheduler, attempts_of
from outbound.tasks import FormError
from outbound.tasks_store import (
    claim_due,
    list_tasks,
    record_outcome,
    record_sale,
    request_callback,
)
from store.models.customers import OutboundTask


@pytest.fixture
async def world(engine, redis, prefix) -> dict[str, Any]:
    w = await pieces(engine, redis, prefix)
    for i in range(3):
        await save_customer(
            engine,
            CustomerRecord(
                f"c{i}",
                f"Customer {i}",
                (f"+86138000000{i:02d}",),
                tier="vip" if i == 2 else "ordinary",
            ),
            now=w["clock"].at,
            default_tz="UTC",
        )
    return w


async def test_progressive_dialling_retry_and_form(engine, redis, prefix, world) -> None:
    w = world
    clock, sched = w["clock"], w["scheduler"]
    task_id = await record_sale(
        engine,
        sale_id="s1",
        customer_id="c0",
        sold_at=clock.at,
        now=clock.at,
        config=w["config"],
        redis=redis,
        prefix=prefix,
    )
    assert task_id is not None
    # no agent ready: the task is queued in the router but nobody is dialled
    assert await sched.dispatch_once() == 1
    assert [c for c in await commands(redis, prefix) if c.kind == "originate"] == []
    call_id = f"ob-{task_id}-1"
    assert await redis.hget(w["keys"].call(call_id), "state") == "waiting"
    # an agent becomes ready: reserved first (offered), then originate
    await w["actions"].login("a1", {"care": 1}, ready=True)
    assert (await w["actions"].state("a1"))["state"] == "offered"
    [orig] = [c for c in await commands(redis, prefix) if c.kind == "originate"]
    assert orig.args == {
        "call_id": call_id,
        "agent_id": "a1",
        "number": "+8613800000000",
        "ring_timeout_s": 15,  # the agent's phone then rings as long as the queue says
    }

    # busy: the agent is released, the task is retried 30 min later
    clock.advance(20)
    await telephony(
        redis,
        prefix,
        "call.failed",
        call_id,
        clock.at,
        agent_id="a1",
        reason="busy",
        direction="outbound",
    )
    await pump(w, redis, prefix)
    assert (await w["actions"].state("a1"))["state"] == "ready"
    [task] = await list_tasks(engine)
    assert (task["status"], task["attempts"], task["last_outcome"]) == ("scheduled", 1, "busy")
    assert task["due_at"] == clock.at + timedelta(minutes=30)
    assert await sched.dispatch_once() == 0  # not due yet

    # second attempt: answered, ended, then the agent's form
    clock.advance(30 * 60)
    assert await sched.dispatch_once() == 1
    call2 = f"ob-{task_id}-2"
    assert [c.args["call_id"] for c in await commands(redis, prefix) if c.kind == "originate"] == [
        call_id,
        call2,
    ]
    await telephony(redis, prefix, "call.answered", call2, clock.at, agent_id="a1")
    await pump(w, redis, prefix)
    assert (await list_tasks(engine))[0]["status"] == "connected"
    clock.advance(90)
    await telephony(redis, prefix, "call.ended", call2, clock.at, agent_id="a1", ended_by="agent")
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["status"], task["outcome"]) == ("done", "reached")
    # the form of the first (busy) attempt's call cannot close the task
    with pytest.raises(FormError, match="current attempt"):
        await record_outcome(
            engine, task_id, outcome="reached", now=clock.at, call_id=call_id, agent_id="a1"
        )
    await record_outcome(
        engine,
        task_id,
        outcome="reached",
        satisfied=True,
        score=5,
        comment="good",
        now=clock.at,
        call_id=call2,
    )
    [task] = await list_tasks(engine)
    assert task["answers"] == {"satisfied": True, "score": 5, "comment": "good"}
    assert [a["outcome"] for a in await attempts_of(engine, task_id)] == ["busy", "reached"]
    outcomes = [
        json.loads(f["payload"])
        for _, f in await redis.xrange(StreamNames(prefix).events)
        if f["type"] == "outbound.outcome"
    ]
    assert [(o["outcome"], o["final"]) for o in outcomes] == [
        ("busy", False),
        ("reached", False),
        ("reached", True),
    ]


async def test_out_of_attempts_and_wrong_number(engine, redis, prefix, world) -> None:
    w = world
    clock, sched = w["clock"], w["scheduler"]
    t1 = await request_callback(
        engine, customer_id="c1", due_at=clock.at, now=clock.at, config=w["config"]
    )
    t2 = await request_callback(
        engine, customer_id="c2", due_at=clock.at, now=clock.at, config=w["config"]
    )
    await w["actions"].login("a1", {"care": 1}, ready=True)
    await w["actions"].login("a2", {"care": 1}, ready=True)
    assert await sched.dispatch_once() == 2
    for attempt in (1, 2):
        await telephony(
            redis, prefix, "call.failed", f"ob-{t1}-{attempt}", clock.at, reason="no_answer"
        )
        if attempt == 1:
            await telephony(redis, prefix, "call.failed", f"ob-{t2}-1", clock.at, reason="invalid")
        await pump(w, redis, prefix)
        clock.advance(31 * 60)
        await sched.dispatch_once()
    tasks = {t["task_id"]: t for t in await list_tasks(engine)}
    assert (tasks[t1]["status"], tasks[t1]["outcome"], tasks[t1]["attempts"]) == (
        "done",
        "no_answer",
        2,
    )
    assert (tasks[t2]["status"], tasks[t2]["outcome"], tasks[t2]["attempts"]) == (
        "done",
        "wrong_number",
        1,
    )


async def test_vip_is_dialled_first(engine, redis, prefix, world) -> None:
    w = world
    clock, sched = w["clock"], w["scheduler"]
    ordinary = await request_callback(
        engine, customer_id="c0", due_at=clock.at, now=clock.at, config=w["config"]
    )
    vip = await request_callback(
        engine,
        customer_id="c2",
        due_at=clock.at + timedelta(seconds=1),
        now=clock.at,
        config=w["config"],
    )
    clock.advance(5)
    assert await sched.dispatch_once() == 2
    await w["actions"].login("a1", {"care": 1}, ready=True)
    [orig] = [c for c in await commands(redis, prefix) if c.kind == "originate"]
    assert orig.args["call_id"] == f"ob-{vip}-1"
    assert ordinary != vip


async def test_two_schedulers_never_claim_one_task_twice(engine, redis, prefix, world) -> None:
    w = world
    clock = w["clock"]
    for i in range(20):
        await request_callback(
            engine,
            customer_id=f"c{i % 3}",
            due_at=clock.at,
            now=clock.at,
            config=w["config"],
            source_id=f"req-{i}",
        )
    other = OutboundScheduler(engine, w["routing"], w["config"], clock=clock, batch=7)
    counts = await asyncio.gather(
        *(s.dispatch_once() for s in (w["scheduler"], other, w["scheduler"], other))
    )
    assert sum(counts) == 20
    async with engine.connect() as conn:
        rows = (await conn.execute(select(OutboundTask.__table__))).mappings().all()
    assert {(r["status"], r["attempts"]) for r in rows} == {("queued", 1)}
    waiting = await redis.zcard(w["keys"].in_queue("care"))
    assert waiting == 20


async def test_crash_between_claim_and_queueing_is_repaired(engine, redis, prefix, world) -> None:
    w = world
    clock = w["clock"]
    task_id = await request_callback(
        engine, customer_id="c1", due_at=clock.at, now=clock.at, config=w["config"]
    )
    async with engine.begin() as conn:  # claimed, then the scheduler died before queueing
        [claimed] = await claim_due(conn, clock.at, 10)
    assert await redis.exists(w["keys"].call(claimed["call_id"])) == 0
    restarted = OutboundScheduler(engine, w["routing"], w["config"], clock=clock)
    assert await restarted.reconcile() == 1
    assert await redis.hget(w["keys"].call(f"ob-{task_id}-1"), "state") == "waiting"
    assert await restarted.reconcile() == 0  # queued once, not again
