"""Interval statistics against hand-computed values."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from kernel.events import DomainEvent
from store.readers import interval_stats
from store.writer import write_events

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def call(
    cid: str, arrive_s: float, answer_s: float | None, end_s: float, wrap_s: float | None = None
):
    out = [
        DomainEvent(
            f"{cid}a",
            T0 + timedelta(seconds=arrive_s),
            "call.arrived",
            cid,
            payload={"direction": "inbound", "queue": "sales"},
        ),
    ]
    if answer_s is None:
        out.append(DomainEvent(f"{cid}x", T0 + timedelta(seconds=end_s), "call.abandoned", cid))
        return out
    out.append(DomainEvent(f"{cid}b", T0 + timedelta(seconds=answer_s), "call.answered", cid, "a1"))
    out.append(DomainEvent(f"{cid}c", T0 + timedelta(seconds=end_s), "call.ended", cid, "a1"))
    if wrap_s is not None:
        out.append(
            DomainEvent(
                f"{cid}d",
                T0 + timedelta(seconds=end_s + wrap_s),
                "call.wrapped",
                cid,
                "a1",
                {"disposition": "resolved"},
            )
        )
    return out


async def test_interval_stats_hand_computed(engine):
    events = (
        # interval 09:00-09:15
        call("c1", 0, 10, 190, 20)  # wait 10, handle 180 + 20 = 200
        + call("c2", 60, 90, 390, 0)  # wait 30 (misses 20 s), handle 300
        + call("c3", 120, None, 125)  # abandoned after 5 s
        # interval 09:15-09:30
        + call("c4", 900, 905, 1005, 10)  # wait 5, handle 100 + 10 = 110
        # 09:30-09:45: nothing; 09:45-10:00
        + call("c5", 2800, None, 2860)  # abandoned after 60 s
    )
    async with engine.begin() as conn:
        await write_events(conn, events)
    df = await interval_stats(engine, T0, T0 + timedelta(hours=1), interval_min=15, sl_target_s=20)
    assert list(df.index) == [T0 + timedelta(minutes=m) for m in (0, 15, 30, 45)]
    r0, r1, r2, r3 = (df.iloc[i] for i in range(4))
    assert (r0.offered, r0.answered, r0.abandoned) == (3, 2, 1)
    assert r0.aht_s == 250.0  # (200 + 300) / 2
    assert r0.asa_s == 20.0  # (10 + 30) / 2
    assert math.isclose(r0.service_level, 1 / 3)  # only c1 within 20 s, of 3 offered
    assert (r1.offered, r1.answered, r1.aht_s, r1.asa_s, r1.service_level) == (
        1,
        1,
        110.0,
        5.0,
        1.0,
    )
    assert r2.offered == 0 and math.isnan(r2.service_level)
    assert (r3.offered, r3.abandoned, r3.service_level) == (1, 1, 0.0)
    # Abandons shorter than 10 s are not counted as offered.
    df = await interval_stats(
        engine, T0, T0 + timedelta(hours=1), sl_target_s=20, short_abandon_s=10
    )
    assert df.iloc[0].offered == 2 and df.iloc[0].service_level == 0.5
    # 30-minute intervals merge the first two.
    df = await interval_stats(engine, T0, T0 + timedelta(hours=1), interval_min=30, sl_target_s=20)
    assert list(df.offered) == [4, 1]
