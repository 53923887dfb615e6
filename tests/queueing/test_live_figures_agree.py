"""The wallboard's live figures (the router's counters) and the reports agree for the same
minutes: a call counts in the minute it arrived, so a period never shows more answered than
offered, and the figures follow one set of definitions (``reports.definitions``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from callcenter_testkit.queueing_helpers import T0, make_settings, routing_for

from kernel.events import DomainEvent
from queueing.stats import PeriodStats
from reports.definitions import QueueRules, queue_report
from reports.readers import read_calls
from reports.service import ReportRequest, build_report
from store.writer import write_events

QUEUE = {"id": "general", "skills": {"general": 1}, "sl_target_s": 20, "short_abandon_s": 5}
# (call, arrived s, answered s or None, left s): left is the hang-up of an answered call or
# the abandon of a waiting one (seconds after T0)
CALLS = [
    ("c1", 0, 10, 100),  # in service level
    ("c2", 30, None, 33),  # short abandon
    ("c3", 60, None, 120),
    ("c4", 90, 20 * 60, 22 * 60),  # answered 20 minutes later, in another interval
    ("c5", 25 * 60, 25 * 60 + 5, 25 * 60 + 50),
]
NOW_S = 26 * 60


def ms(offset_s: float) -> int:
    return int((T0 + offset_s) * 1000)


def at(offset_s: float) -> datetime:
    return datetime.fromtimestamp(T0 + offset_s, UTC)


def router_ops() -> list[tuple[int, dict[str, Any]]]:
    ops: list[tuple[int, dict[str, Any]]] = []
    for cid, arrived, answered, left in CALLS:
        ops.append((ms(arrived), {"op": "arrive", "call": cid, "queue": "general", "prio": 0}))
        if answered is not None:
            ops.append((ms(answered), {"op": "answer", "call": cid, "agent": "a1"}))
        kind = "ended" if answered is not None else "abandoned"
        ops.append((ms(left), {"op": "gone", "call": cid, "kind": kind}))
    return sorted(ops, key=lambda o: o[0])


def store_events() -> list[DomainEvent]:
    out = []
    for cid, arrived, answered, left in CALLS:
        p = {"direction": "inbound", "queue": "general"}
        out.append(DomainEvent(f"{cid}:a", at(arrived), "call.arrived", cid, payload=p))
        if answered is None:
            wait = {"wait_s": left - arrived}
            out.append(DomainEvent(f"{cid}:x", at(left), "call.abandoned", cid, payload=wait))
            continue
        out.append(DomainEvent(f"{cid}:b", at(answered), "call.answered", cid, "a1"))
        out.append(DomainEvent(f"{cid}:e", at(left), "call.ended", cid, "a1"))
    return out


def live(p: PeriodStats) -> tuple[Any, ...]:
    return (p.offered, p.answered, p.abandoned, p.service_level_pct, p.asa_s)


def reported(df: Any) -> tuple[Any, ...]:
    r = df.iloc[0]
    return (r.offered, r.answered, r.abandoned, r.sl_pct, r.asa_s)


async def test_live_figures_equal_the_report_for_the_same_minutes(
    redis: Any, prefix: str, clock: Any, engine: Any
) -> None:
    settings = make_settings(prefix, [QUEUE])
    routing, _actions = routing_for(redis, settings, clock)
    await routing.setup()
    for now, op in router_ops():
        await routing.run("default", "events", [{**op, "ts": now}], now)
    async with engine.begin() as conn:
        await write_events(conn, store_events())
    [stats] = await routing.read_stats(ms(NOW_S))
    assert stats.day is not None and stats.last_15m is not None and stats.last_30m is not None

    day = datetime.fromtimestamp(T0, UTC).date()
    request = ReportRequest("queues", day, day, "UTC")
    report = await build_report(engine, request, settings.queues)
    assert reported(report) == pytest.approx(live(stats.day))
    assert reported(report) == pytest.approx((5, 3, 2, 100 * 2 / (3 + 1), (10 + 1110 + 5) / 3))

    # the last 15 minutes: the minutes 25:00..26:00 after T0's minute, c5 alone; c4, answered
    # in them, arrived before and counts there (it used to make answered exceed offered)
    minute = T0 // 60 * 60
    start, end = minute + (NOW_S // 60 - 14) * 60, minute + (NOW_S // 60 + 1) * 60
    calls = await read_calls(
        engine, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
    )
    rules = {"general": QueueRules(20, 5, True)}
    window = queue_report(calls, ["general"], rules, no_data=False)
    assert reported(window) == pytest.approx(live(stats.last_15m))
    assert (stats.last_15m.offered, stats.last_15m.answered) == (1, 1)
