"""A callback asked for while waiting in line (the router's callback in queue) is mirrored into
the outbound tasks: a supervisor sees it and its outcome, and a failed dial is retried by the
scheduler (``ob-<task>-2``) instead of being lost. The dial is a call of its own (``in1-cb``,
its events carry ``origin_call_id`` = ``in1``): the task follows it, never the caller's leg.
Real Redis, the router's scripts, the store; telephony replaced by events written to the stream
the way the bridge writes them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from callcenter_testkit.outbound_rig import commands, pieces, pump, telephony

from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.keys import StreamNames
from outbound.scheduler import OutboundScheduler, attempts_of
from outbound.tasks import task_id_for
from outbound.tasks_store import list_tasks, record_outcome, task_of_call

NUMBER = "+8613800000001"
DIAL = "in1-cb"  # the router's dial of the callback asked for on call in1
ORIGIN = {"origin_call_id": "in1"}  # what the bridge adds to each event of that dial


@pytest.fixture
async def world(engine, redis, prefix) -> dict[str, Any]:
    w = await pieces(engine, redis, prefix)
    await save_customer(
        engine,
        CustomerRecord("c1", "Customer 1", (NUMBER,), tier="key_account"),
        now=w["clock"].at,
        default_tz="UTC",
    )
    return w


async def caller_asks_for_callback(w: dict[str, Any], redis, prefix, call_id: str = "in1") -> str:
    """An inbound call waits in ``care`` (no agent ready), asks for a callback, hangs up."""
    at = w["clock"].at
    await telephony(
        redis, prefix, "call.arrived", call_id, at, queue="care", customer_id="c1", tier="vip"
    )
    await pump(w, redis, prefix)
    await w["actions"].request_callback(call_id, NUMBER)
    w["clock"].advance(3)
    later = w["clock"].at
    await telephony(redis, prefix, "call.abandoned", call_id, later, queue="care", wait_s=3.0)
    await telephony(redis, prefix, "call.ended", call_id, later, who="customer", answered=False)
    await pump(w, redis, prefix)
    return task_id_for("callback", "queue", call_id)


async def outcomes(redis, prefix) -> list[tuple[str, bool]]:
    return [
        (p["outcome"], p["final"])
        for p in (
            json.loads(f["payload"])
            for _, f in await redis.xrange(StreamNames(prefix).events)
            if f["type"] == "outbound.outcome"
        )
    ]


async def test_queue_callback_is_a_queued_task_answered_then_done(
    engine, redis, prefix, world
) -> None:
    w = world
    clock = w["clock"]
    t0 = clock.at
    task_id = await caller_asks_for_callback(w, redis, prefix)
    # the caller's hang-up is not a failed dial: the task waits in line as the dial's call
    [task] = await list_tasks(engine)
    assert (task["task_id"], task["kind"], task["status"], task["attempts"]) == (
        task_id,
        "callback",
        "queued",
        1,
    )
    assert (task["call_id"], task["customer_id"], task["number"]) == (DIAL, "c1", NUMBER)
    assert (task["source"], task["source_id"], task["queue_id"]) == ("queue", "in1", "care")
    assert task["tier"] == "key_account"  # the customer record's tier
    assert task["due_at"] == t0
    assert await attempts_of(engine, task_id) == []  # not dialled yet
    async with engine.connect() as conn:  # the agent's card finds it while the phone rings
        assert await task_of_call(conn, DIAL) == (task_id, 1)
        assert await task_of_call(conn, "in1") is None  # the caller's leg is not the task's
    assert await redis.hget(w["keys"].call(DIAL), "state") == "waiting"
    assert await redis.hget(w["keys"].call("in1"), "state") == "callback"
    # reconcile leaves it to the router: no ob- call, the dial's call untouched
    assert await w["scheduler"].reconcile() == 0
    assert await redis.exists(w["keys"].call(f"ob-{task_id}-1")) == 0

    # it reaches the front: an agent is reserved, then the customer is originated
    await w["actions"].login("a1", {"care": 1}, ready=True)
    [orig] = [c for c in await commands(redis, prefix) if c.kind == "originate"]
    assert orig.args == {
        "call_id": DIAL,
        "agent_id": "a1",
        "number": NUMBER,
        "origin_call_id": "in1",
        "ring_timeout_s": 15,
    }
    clock.advance(10)
    await telephony(
        redis,
        prefix,
        "call.originated",
        DIAL,
        clock.at,
        agent_id="a1",
        direction="outbound",
        **ORIGIN,
    )
    await telephony(redis, prefix, "call.answered", DIAL, clock.at, agent_id="a1", **ORIGIN)
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["status"], task["agent_id"], task["last_outcome"]) == (
        "connected",
        "a1",
        "reached",
    )
    clock.advance(60)
    await telephony(
        redis,
        prefix,
        "call.ended",
        DIAL,
        clock.at,
        agent_id="a1",
        who="agent",
        answered=True,
        **ORIGIN,
    )
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["status"], task["outcome"], task["done_at"]) == ("done", "reached", clock.at)
    [attempt] = await attempts_of(engine, task_id)
    assert (attempt["call_id"], attempt["attempt"], attempt["outcome"]) == (DIAL, 1, "reached")
    assert await outcomes(redis, prefix) == [("reached", False), ("reached", True)]
    # the agent's form after the call, given the call id the agent saw
    await record_outcome(
        engine, task_id, outcome="reached", satisfied=True, score=4, now=clock.at, call_id=DIAL
    )
    [task] = await list_tasks(engine)
    assert task["answers"] == {"satisfied": True, "score": 4, "comment": None}


async def test_replayed_events_change_nothing(engine, redis, prefix, world) -> None:
    w = world
    clock = w["clock"]
    task_id = await caller_asks_for_callback(w, redis, prefix)
    await w["actions"].login("a1", {"care": 1}, ready=True)
    await telephony(redis, prefix, "call.answered", DIAL, clock.at, agent_id="a1", **ORIGIN)
    clock.advance(60)
    await telephony(
        redis, prefix, "call.ended", DIAL, clock.at, agent_id="a1", answered=True, **ORIGIN
    )
    await pump(w, redis, prefix)
    before = (await list_tasks(engine), await attempts_of(engine, task_id))
    stream = StreamNames(prefix).events
    entries = await redis.xrange(stream)
    # the same entries delivered again (a scheduler crashed before its ack) ...
    assert await w["scheduler"].handle(entries) == 0
    # ... and written again to the stream (a bridge replaying), to a second scheduler too
    other = OutboundScheduler(
        engine, w["routing"], w["scheduler"].config, clock=clock, group="outbound-2"
    )
    await other.ensure_group()
    for _id, fields in entries:
        await redis.xadd(stream, fields)
    await pump(w, redis, prefix)
    await other.stream.drain()
    assert (await list_tasks(engine), await attempts_of(engine, task_id)) == before
    assert await outcomes(redis, prefix) == [("reached", False), ("reached", True)] * 2
    assert len(before[0]) == 1 and before[0][0]["status"] == "done"


async def test_busy_dial_is_retried_as_ob_attempt_two(engine, redis, prefix, world) -> None:
    w = world
    clock, sched = w["clock"], w["scheduler"]
    task_id = await caller_asks_for_callback(w, redis, prefix)
    await w["actions"].login("a1", {"care": 1}, ready=True)
    clock.advance(20)
    await telephony(
        redis,
        prefix,
        "call.failed",
        DIAL,
        clock.at,
        agent_id="a1",
        reason="busy",
        direction="outbound",
        **ORIGIN,
    )
    await pump(w, redis, prefix)
    assert (await w["actions"].state("a1"))["state"] == "ready"  # the router let it go
    [task] = await list_tasks(engine)
    assert (task["status"], task["attempts"], task["last_outcome"], task["call_id"]) == (
        "scheduled",
        1,
        "busy",
        None,
    )
    assert task["due_at"] == clock.at + timedelta(minutes=30)
    assert [(a["call_id"], a["outcome"]) for a in await attempts_of(engine, task_id)] == [
        (DIAL, "busy")
    ]
    assert await sched.dispatch_once() == 0  # not due yet
    clock.advance(30 * 60)
    assert await sched.dispatch_once() == 1
    call2 = f"ob-{task_id}-2"
    assert [
        (c.args["call_id"], c.args.get("origin_call_id"))
        for c in await commands(redis, prefix)
        if c.kind == "originate"
    ] == [(DIAL, "in1"), (call2, None)]
    await telephony(redis, prefix, "call.answered", call2, clock.at, agent_id="a1")
    clock.advance(30)
    await telephony(redis, prefix, "call.ended", call2, clock.at, agent_id="a1", answered=True)
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["status"], task["outcome"], task["attempts"]) == ("done", "reached", 2)
    assert [a["outcome"] for a in await attempts_of(engine, task_id)] == ["busy", "reached"]
    assert await outcomes(redis, prefix) == [
        ("busy", False),
        ("reached", False),
        ("reached", True),
    ]


async def test_retry_waits_for_the_calling_hours(engine, redis, prefix, world) -> None:
    """The customer's own hours (09:00-20:00 in Asia/Shanghai, the zone of the +86 number):
    unanswered at 19:45 local, the retry is not at 20:15 but at 09:00 local the next day."""
    w = world
    clock = w["clock"]
    clock.advance(3600 + 45 * 60)  # 11:45 UTC = 19:45 in Shanghai
    task_id = await caller_asks_for_callback(w, redis, prefix)
    await w["actions"].login("a1", {"care": 1}, ready=True)
    await telephony(redis, prefix, "call.failed", DIAL, clock.at, reason="no_answer", **ORIGIN)
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["task_id"], task["status"], task["last_outcome"]) == (
        task_id,
        "scheduled",
        "no_answer",
    )
    assert task["due_at"] == datetime(2026, 11, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("lost", ["tombstoned", "expired"])
async def test_call_lost_by_the_router_is_not_left_queued(
    engine, redis, prefix, world, lost: str
) -> None:
    w = world
    clock, sched = w["clock"], w["scheduler"]
    task_id = await caller_asks_for_callback(w, redis, prefix)
    if lost == "tombstoned":  # the router dropped it; the scheduler never saw why
        await w["routing"].run(
            "default",
            "events",
            [{"op": "gone", "call": DIAL, "kind": "failed", "ts": int(clock.t * 1000)}],
            int(clock.t * 1000),
        )
        assert await redis.hget(w["keys"].call(DIAL), "state") == "ended"
    else:
        await redis.delete(w["keys"].call(DIAL))
    assert await sched.reconcile() == 0  # news may still be on its way: not yet
    sched.stale_s = -1.0  # ... until ``stale_s`` has passed
    assert await sched.reconcile() == 1
    [task] = await list_tasks(engine)
    assert (task["status"], task["attempts"], task["last_outcome"]) == (
        "scheduled",
        1,
        "no_answer",
    )
    assert [(a["call_id"], a["outcome"]) for a in await attempts_of(engine, task_id)] == [
        (DIAL, "no_answer")
    ]
    # never queued again under the dial's id nor as a first ob- attempt
    assert await redis.exists(w["keys"].call(f"ob-{task_id}-1")) == 0
    assert await sched.reconcile() == 0
    clock.advance(30 * 60)
    assert await sched.dispatch_once() == 1
    assert await redis.hget(w["keys"].call(f"ob-{task_id}-2"), "state") == "waiting"


async def route_only(w: dict[str, Any], redis, prefix) -> None:
    """The router consumes the stream; the scheduler does not (yet)."""
    stream = StreamNames(prefix).events
    resp = await redis.xreadgroup(w["router"].group, "r1", {stream: ">"}, count=1000)
    for _s, entries in resp or []:
        await w["router"].handle(entries)


async def test_dial_seen_before_its_request_is_not_lost(engine, redis, prefix, world) -> None:
    """Two schedulers, or a dead one's entries taken over later: the dial's events are handled
    before the request's ``outbound.scheduled``. The reached customer stays reached."""
    w = world
    clock, sched = w["clock"], w["scheduler"]
    await telephony(redis, prefix, "call.arrived", "in1", clock.at, queue="care", customer_id="c1")
    await route_only(w, redis, prefix)
    await w["actions"].request_callback("in1", NUMBER)
    await telephony(redis, prefix, "call.ended", "in1", clock.at, who="customer", answered=False)
    await route_only(w, redis, prefix)
    await w["actions"].login("a1", {"care": 1}, ready=True)
    clock.advance(10)
    await telephony(redis, prefix, "call.originated", DIAL, clock.at, agent_id="a1", **ORIGIN)
    await telephony(redis, prefix, "call.answered", DIAL, clock.at, agent_id="a1", **ORIGIN)
    clock.advance(60)
    await telephony(
        redis, prefix, "call.ended", DIAL, clock.at, agent_id="a1", answered=True, **ORIGIN
    )
    await route_only(w, redis, prefix)

    entries = await redis.xrange(StreamNames(prefix).events)
    request = [e for e in entries if e[1]["type"] == "outbound.scheduled"]
    assert len(request) == 1
    await sched.handle([e for e in entries if e not in request])
    await sched.handle(request)

    task_id = task_id_for("callback", "queue", "in1")
    [task] = await list_tasks(engine)
    assert (task["task_id"], task["status"], task["outcome"], task["customer_id"]) == (
        task_id,
        "done",
        "reached",
        "c1",
    )
    [attempt] = await attempts_of(engine, task_id)
    assert (attempt["call_id"], attempt["outcome"]) == (DIAL, "reached")
    sched.stale_s = 0  # a queued task whose router call ended would be given up on now
    assert await sched.reconcile() == 0
    assert await sched.reconcile() == 0  # nothing left queued
    assert [t["status"] for t in await list_tasks(engine)] == ["done"]


async def test_form_before_the_dial_is_seen_keeps_the_attempt(engine, redis, prefix, world) -> None:
    """The scheduler lags: the agent's form arrives while the task is still ``queued``."""
    w = world
    clock = w["clock"]
    task_id = await caller_asks_for_callback(w, redis, prefix)
    await w["actions"].login("a1", {"care": 1}, ready=True)
    clock.advance(10)
    await record_outcome(
        engine, task_id, outcome="wrong_number", agent_id="a1", now=clock.at, call_id=DIAL
    )
    [attempt] = await attempts_of(engine, task_id)
    assert (attempt["call_id"], attempt["attempt"], attempt["outcome"]) == (
        DIAL,
        1,
        "wrong_number",
    )
    # the dial's own events arrive afterwards: they change nothing
    await telephony(redis, prefix, "call.originated", DIAL, clock.at, agent_id="a1", **ORIGIN)
    await telephony(redis, prefix, "call.answered", DIAL, clock.at, agent_id="a1", **ORIGIN)
    await telephony(
        redis, prefix, "call.ended", DIAL, clock.at, agent_id="a1", answered=True, **ORIGIN
    )
    await pump(w, redis, prefix)
    [task] = await list_tasks(engine)
    assert (task["status"], task["outcome"], task["attempts"]) == ("done", "wrong_number", 1)
    assert len(await attempts_of(engine, task_id)) == 1
