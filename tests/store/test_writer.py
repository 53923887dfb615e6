"""The ingestion contract: idempotent writes, ack after commit, nothing lost on a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from kernel.events import DomainEvent
from kernel.keys import StreamNames
from store.models.core import AgentState, Call, CallEvent
from store.writer import StoreWriter, write_events

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def ev(i: str, secs: float, type_: str, call: str | None = None, agent: str | None = None, **p):
    return DomainEvent(
        id=i, ts=T0 + timedelta(seconds=secs), type=type_, call_id=call, agent_id=agent, payload=p
    )


def sample_events() -> list[DomainEvent]:
    return [
        ev(
            "e1",
            0,
            "call.arrived",
            "c1",
            direction="inbound",
            caller="+8613800001111",
            queue="sales",
        ),
        ev("e2", 0, "call.queued", "c1", queue="sales", priority=1),
        ev("e3", 12, "call.offered", "c1", "a1"),
        ev("e4", 15, "call.answered", "c1", "a1"),
        ev("e5", 75, "call.held", "c1", "a1"),
        ev("e6", 95, "call.resumed", "c1", "a1"),
        ev("e7", 135, "call.ended", "c1", "a1", ended_by="caller"),
        ev("e8", 165, "call.wrapped", "c1", "a1", disposition="resolved", notes="ok"),
        ev(
            "e9",
            30,
            "call.arrived",
            "c2",
            direction="inbound",
            caller="+8613800002222",
            queue="sales",
        ),
        ev("e10", 70, "call.abandoned", "c2", wait_s=40),
        ev("s1", 0, "agent.state", None, "a1", state="ready"),
        ev("s2", 12, "agent.state", "c1", "a1", state="offered"),
        ev("s3", 15, "agent.state", "c1", "a1", state="on_call"),
        ev("s4", 135, "agent.state", "c1", "a1", state="wrap_up"),
        ev("s5", 165, "agent.state", None, "a1", state="not_ready", reason="break"),
    ]


async def snapshot(engine) -> dict:
    async with engine.connect() as conn:
        calls = (await conn.execute(select(Call.__table__).order_by(Call.call_id))).mappings().all()
        states = (
            (
                await conn.execute(
                    select(AgentState.__table__).order_by(AgentState.agent_id, AgentState.start_at)
                )
            )
            .mappings()
            .all()
        )
        n = (await conn.execute(select(func.count()).select_from(CallEvent))).scalar_one()
    return {
        "calls": [dict(r) for r in calls],
        "states": [{k: v for k, v in r.items() if k != "id"} for r in states],
        "events": n,
    }


async def test_call_row_figures(engine):
    async with engine.begin() as conn:
        assert await write_events(conn, sample_events()) == 15
    snap = await snapshot(engine)
    c1, c2 = snap["calls"]
    assert c1["outcome"] == "answered" and c1["agent_id"] == "a1"
    assert c1["wait_s"] == 15.0  # queued at 0, answered at 15
    assert c1["hold_s"] == 20.0  # held 75..95
    assert c1["talk_s"] == 100.0  # 15..135 minus 20 s hold
    assert c1["wrap_s"] == 30.0  # ended 135, wrapped 165
    assert c1["disposition"] == "resolved" and c1["offers"] == 1
    assert c2["outcome"] == "abandoned" and c2["wait_s"] == 40.0
    states = [(s["state"], s["start_at"], s["end_at"]) for s in snap["states"]]
    assert states == [
        ("ready", T0, T0 + timedelta(seconds=12)),
        ("offered", T0 + timedelta(seconds=12), T0 + timedelta(seconds=15)),
        ("on_call", T0 + timedelta(seconds=15), T0 + timedelta(seconds=135)),
        ("wrap_up", T0 + timedelta(seconds=135), T0 + timedelta(seconds=165)),
        ("not_ready", T0 + timedelta(seconds=165), None),
    ]


async def test_callback_in_queue_is_two_calls_each_recorded_as_itself(engine):
    """The caller asks for a callback and hangs up: no abandon, outcome ``callback``. The dial is
    a call of its own (queued in the caller's place, then originated, answered, ended)."""
    origin = {"origin_call_id": "c3"}
    events = [
        ev("c1", 0, "call.arrived", "c3", direction="inbound", caller="+861", queue="sales"),
        ev("c2", 0, "call.queued", "c3", queue="sales", priority=1),
        ev(
            "c3",
            20,
            "outbound.scheduled",
            "c3",
            kind="callback_in_queue",
            dial_call_id="c3-cb",
            number="+862",
        ),
        ev("c4", 20, "call.queued", "c3-cb", queue="sales", direction="outbound", **origin),
        ev("c5", 25, "call.abandoned", "c3", queue="sales", wait_s=25),
        ev("c6", 25, "call.ended", "c3", who="customer", answered=False),
        ev("d1", 90, "call.offered", "c3-cb", "a1", queue="sales", **origin),
        ev(
            "d2",
            95,
            "call.originated",
            "c3-cb",
            "a1",
            direction="outbound",
            number="+862",
            **origin,
        ),
        ev("d3", 97, "call.answered", "c3-cb", "a1", **origin),
        ev("d4", 157, "call.ended", "c3-cb", "a1", who="agent", answered=True, **origin),
    ]
    async with engine.begin() as conn:
        assert await write_events(conn, events) == len(events)
    caller, dial = (await snapshot(engine))["calls"]
    assert (caller["call_id"], caller["direction"], caller["outcome"]) == (
        "c3",
        "inbound",
        "callback",
    )
    assert caller["ended_at"] == T0 + timedelta(seconds=25) and caller["answered_at"] is None
    assert (dial["call_id"], dial["direction"], dial["outcome"]) == (
        "c3-cb",
        "outbound",
        "answered",
    )
    assert (dial["agent_id"], dial["queue_id"], dial["offers"]) == ("a1", "sales", 1)
    assert dial["queued_at"] == T0 + timedelta(seconds=20)
    assert dial["wait_s"] == 77.0 and dial["talk_s"] == 60.0  # in line 20..97, talked 97..157


async def test_same_batch_twice_changes_nothing(engine):
    async with engine.begin() as conn:
        await write_events(conn, sample_events())
    before = await snapshot(engine)
    async with engine.begin() as conn:
        assert await write_events(conn, sample_events()) == 0
    assert await snapshot(engine) == before


async def test_events_split_across_batches_give_the_same_rows(engine, db_url):
    events = sample_events()
    for chunk in (events[:4], events[4:9], events[9:]):
        async with engine.begin() as conn:
            await write_events(conn, chunk)
    split = await snapshot(engine)
    async with engine.begin() as conn:
        for table in ("calls", "agent_states", "call_events"):
            await conn.execute(text(f"DELETE FROM {table}"))
    async with engine.begin() as conn:
        await write_events(conn, events)
    assert await snapshot(engine) == split


async def publish(redis, streams: StreamNames, events) -> None:
    for e in events:
        await redis.xadd(streams.events, e.to_fields())


async def test_writer_consumes_stream_and_acks(redis, prefix, engine):
    streams = StreamNames(prefix)
    await publish(redis, streams, sample_events())
    await redis.xadd(streams.events, {"id": "bad", "type": "nonsense", "ts": "x"})
    writer = StoreWriter(redis, engine, streams, consumer="w1", batch_size=4)
    assert await writer.run_once() == 15
    assert (await redis.xpending(streams.events, "store-writer"))["pending"] == 0
    dead = await redis.xrange(f"{streams.events}:dead")
    assert len(dead) == 1 and "ts" in dead[0][1]["_error"]
    assert (await snapshot(engine))["events"] == 15


async def test_writer_killed_before_commit_loses_nothing(redis, prefix, engine):
    streams = StreamNames(prefix)
    await publish(redis, streams, sample_events())
    writer = StoreWriter(redis, engine, streams, consumer="w1", batch_size=100)
    await writer.ensure_group()
    # The writer reads the batch, then dies before its transaction commits.
    entries = await writer.stream.read(">")
    assert len(entries) == 15
    assert (await snapshot(engine))["events"] == 0
    # Another writer claims the dead writer's pending entries.
    other = StoreWriter(redis, engine, streams, consumer="w2")
    await other.ensure_group()
    assert await other.stream.claim(0) == 15
    assert (await snapshot(engine))["events"] == 15
    assert (await redis.xpending(streams.events, "store-writer"))["pending"] == 0


async def test_writer_killed_between_commit_and_ack_replays_without_change(redis, prefix, engine):
    streams = StreamNames(prefix)
    await publish(redis, streams, sample_events())
    writer = StoreWriter(redis, engine, streams, consumer="w1", batch_size=100)
    await writer.ensure_group()
    entries = await writer.stream.read(">")
    async with engine.begin() as conn:  # the commit happens, the ack does not
        await write_events(conn, [DomainEvent.from_fields(f) for _, f in entries])
    after_commit = await snapshot(engine)
    restarted = StoreWriter(redis, engine, streams, consumer="w1")
    assert await restarted.run_once() == 0  # its own pending entries are replayed
    assert await snapshot(engine) == after_commit
    assert (await redis.xpending(streams.events, "store-writer"))["pending"] == 0


async def test_trim_keeps_unacknowledged_entries(redis, prefix, engine, monkeypatch):
    import store.writer as w

    monkeypatch.setattr(w, "KEEP_RECENT_MS", 0)
    streams = StreamNames(prefix)
    await publish(redis, streams, sample_events()[:10])
    writer = StoreWriter(redis, engine, streams, consumer="w1")
    await redis.xgroup_create(streams.events, "slow-reader", id="0")
    await writer.run_once()
    await writer.trim()
    assert await redis.xlen(streams.events) == 10  # the other group has read nothing yet
    await redis.xreadgroup("slow-reader", "r", {streams.events: ">"}, count=6)
    await writer.trim()  # 6 delivered but none acknowledged
    assert await redis.xlen(streams.events) == 10
    ids = [i for i, _ in await redis.xrange(streams.events, count=4)]
    await redis.xack(streams.events, "slow-reader", *ids)
    await writer.trim()
    assert await redis.xlen(streams.events) == 6


@pytest.mark.parametrize("n", [1, 3])
async def test_duplicates_inside_one_batch(engine, n):
    events = sample_events() * n
    async with engine.begin() as conn:
        assert await write_events(conn, events) == 15
