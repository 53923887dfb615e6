"""The store after a bridge's reconcile: a CDR-derived end replaces the gap guess of the same id
(and a guessed abandon stops counting once the CDR shows the call answered); telephony gaps make
their intervals "no data"; the reads the reconcile makes (open calls, ended calls)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kernel.events import DomainEvent, make_event_id, utc
from reports.service import interval_figures
from store.gaps import read_gaps
from store.models.core import Call, CallEvent
from store.open_calls import ended_calls, open_calls
from store.writer import write_events

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
GAP = {"gap_from_at": (T0 + timedelta(minutes=20)).isoformat(), "gap_to_at": None}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(call: str, transition: str, minutes: float, type_: str, agent: str | None = None, **p):
    return DomainEvent(make_event_id(call, transition), at(minutes), type_, call, agent, p)


def arrived(call: str, minutes: float) -> DomainEvent:
    return ev(call, "arrived", minutes, "call.arrived", direction="inbound", queue="sales")


def gap_event(from_min: float, to_min: float) -> DomainEvent:
    return DomainEvent(
        make_event_id("gap", "pbx", from_min, to_min),
        at(to_min),
        "telephony.gap",
        payload={
            "source": "pbx",
            "from_at": at(from_min).isoformat(),
            "to_at": at(to_min).isoformat(),
        },
    )


async def row(engine, call_id: str):
    async with engine.connect() as conn:
        return (await conn.execute(select(Call).where(Call.call_id == call_id))).one()


async def write(engine, events: list[DomainEvent]) -> int:
    async with engine.begin() as conn:
        return await write_events(conn, events)


async def test_a_cdr_end_replaces_the_gap_guess(engine) -> None:
    guess = dict(reason="gap", who="unknown", answered=True, **GAP)
    await write(
        engine,
        [
            arrived("c1", 10),
            ev("c1", "answered", 11, "call.answered", "1001"),
            ev("c1", "ended", 30, "call.ended", "1001", **guess),  # guessed: the gap's end
            gap_event(20, 30),
        ],
    )
    assert (await row(engine, "c1")).talk_s == 19 * 60
    cdr = dict(guess, reason="backfilled")
    assert await write(engine, [ev("c1", "ended", 24, "call.ended", "1001", **cdr)]) == 1
    r = await row(engine, "c1")
    assert (r.ended_at, r.talk_s, r.outcome) == (at(24), 13 * 60, "answered")
    async with engine.connect() as conn:
        t = CallEvent.__table__
        ended = (
            await conn.execute(
                select(t.c.ts, t.c.payload).where(t.c.call_id == "c1", t.c.type == "call.ended")
            )
        ).all()
    assert [(utc(e.ts), e.payload["reason"]) for e in ended] == [(at(24), "backfilled")]
    # the same CDR end again changes nothing; a gap guess never replaces a CDR end
    assert await write(engine, [ev("c1", "ended", 24, "call.ended", "1001", **cdr)]) == 0
    assert await write(engine, [ev("c1", "ended", 30, "call.ended", "1001", **guess)]) == 0
    assert (await row(engine, "c1")).ended_at == at(24)


async def test_a_guessed_abandon_stops_counting_when_the_cdr_shows_an_answer(engine) -> None:
    guess = dict(reason="gap", **GAP)
    await write(
        engine,
        [
            arrived("c2", 10),
            ev("c2", "abandoned", 30, "call.abandoned", queue="sales", wait_s=1200, **guess),
            ev("c2", "ended", 30, "call.ended", who="unknown", answered=False, **guess),
        ],
    )
    assert (await row(engine, "c2")).outcome == "abandoned"
    cdr = dict(guess, reason="backfilled")
    await write(
        engine,
        [
            ev("c2", "answered", 21, "call.answered", "1002", agent_id="1002", **cdr),
            ev("c2", "ended", 25, "call.ended", "1002", who="unknown", answered=True, **cdr),
        ],
    )
    r = await row(engine, "c2")
    assert (r.outcome, r.agent_id, r.answered_at, r.ended_at) == (
        "answered",
        "1002",
        at(21),
        at(25),
    )
    assert (r.wait_s, r.talk_s) == (11 * 60, 4 * 60)


async def test_gap_intervals_are_no_data_not_zeros(engine) -> None:
    await write(
        engine, [arrived("c3", 5), ev("c3", "abandoned", 6, "call.abandoned"), gap_event(20, 50)]
    )
    assert [(g.from_at, g.to_at) for g in await read_gaps(engine, T0, at(60))] == [(at(20), at(50))]
    assert await read_gaps(engine, at(55), at(60)) == []
    df = await interval_figures(
        engine, T0, at(60), interval_min=15, timezone="UTC", queues=["sales"], rules={}
    )
    assert list(df["no_data"]) == [0, 1, 1, 1]
    assert list(df["offered"]) == [1, 0, 0, 0]


async def test_reads_for_the_reconcile(engine) -> None:
    await write(
        engine,
        [
            arrived("open", 10),
            ev("open", "answered", 11, "call.answered", "1001"),
            arrived("waiting", 12),
            arrived("done", 1),
            ev("done", "ended", 2, "call.ended"),
            arrived("old", -60 * 24 * 3),
        ],
    )
    got = {c.call_id: c for c in await open_calls(engine, T0 - timedelta(days=2))}
    assert set(got) == {"open", "waiting"}
    assert (got["open"].answered, got["open"].agent_id, got["open"].queue_id) == (
        True,
        "1001",
        "sales",
    )
    assert got["waiting"].arrived_at == at(12) and not got["waiting"].answered
    assert await ended_calls(engine, ["open", "done", "nope"]) == {"done"}
