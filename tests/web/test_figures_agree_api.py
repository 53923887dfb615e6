"""The same minutes give the same figures on the wallboard (``/api/wallboard/queues`` and
``/api/wallboard/day``) and in the report (``/api/reports/queues``), SQLite and PostgreSQL: a
short abandon, an abandon against service level, an answered call and a caller moved to another
queue (counted once, in the queue they ended in); a queue with nothing offered shows no service
level and no abandon rate on either side, never 100 %."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from callcenter_testkit.webtools import Login, Server

from kernel.events import DomainEvent
from store.writer import write_events
from web.keys import RUNTIME, SERVICES


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


def ev(type_: str, call_id: str, at: datetime, agent: str | None = None, **p: Any) -> DomainEvent:
    return DomainEvent(f"{call_id}:{type_}", at, type_, call_id, agent, payload=p)


async def test_wallboard_and_report_agree(login: Login, server: Server) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    if (now - timedelta(minutes=11)).date() != now.date():
        pytest.skip("the calls would straddle midnight (UTC): the day figures would differ")
    routing = server.app[SERVICES].routing
    await routing.setup()
    domain = routing.settings.routing.domain
    ms = lambda t: int(t.timestamp() * 1000)  # noqa: E731
    s = lambda sec: now - timedelta(seconds=sec)  # noqa: E731
    # (time, router op) and the store's events for the same calls
    ops = [
        (s(600), {"op": "arrive", "call": "c1", "queue": "sales", "prio": 0}),
        (s(590), {"op": "answer", "call": "c1", "agent": "a1"}),
        (s(500), {"op": "gone", "call": "c1", "kind": "ended"}),
        (s(400), {"op": "arrive", "call": "c2", "queue": "sales", "prio": 0}),
        (s(397), {"op": "gone", "call": "c2", "kind": "abandoned"}),  # short
        (s(300), {"op": "arrive", "call": "c3", "queue": "sales", "prio": 0}),
        (s(250), {"op": "gone", "call": "c3", "kind": "abandoned"}),
        (s(200), {"op": "arrive", "call": "c4", "queue": "sales", "prio": 0}),
    ]
    for at, op in ops:
        await routing.run(domain, "events", [{**op, "ts": ms(at), "tier": "ordinary"}], ms(at))
    sue = await login("sue")
    async with sue.post("/api/calls/c4/move", json={"queue_id": "support"}) as r:
        assert r.status == 200, await r.text()
    await routing.run(
        domain, "events", [{"op": "answer", "call": "c4", "agent": "a2", "ts": ms(now)}], ms(now)
    )
    inbound = {"direction": "inbound"}
    events = [
        ev("call.arrived", "c1", s(600), queue="sales", **inbound),
        ev("call.answered", "c1", s(590), "a1"),
        ev("call.ended", "c1", s(500), "a1"),
        ev("call.arrived", "c2", s(400), queue="sales", **inbound),
        ev("call.abandoned", "c2", s(397), wait_s=3),
        ev("call.arrived", "c3", s(300), queue="sales", **inbound),
        ev("call.abandoned", "c3", s(250), wait_s=50),
        ev("call.arrived", "c4", s(200), queue="sales", **inbound),
        ev("call.moved", "c4", now, from_queue="sales", queue="support"),
        ev("call.answered", "c4", now, "a2"),
    ]
    async with server.app[RUNTIME].engine.begin() as conn:
        await write_events(conn, events)

    async with sue.get("/api/wallboard/queues") as r:
        live = {q["queue_id"]: q for q in (await r.json())["queues"]}
    day = now.date().isoformat()
    async with sue.get("/api/reports/queues", params={"from": day, "to": day}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    report = {
        row["queue"]: row
        for row in (dict(zip(body["columns"], x, strict=True)) for x in body["rows"])
    }
    async with sue.get("/api/wallboard/day", params={"interval_min": 60}) as r:
        intervals = (await r.json())["intervals"]

    def wall(q: str) -> tuple[Any, ...]:
        d = live[q]["day"]
        return (d["offered"], d["answered"], d["abandoned"], d["service_level_pct"])

    def rep(q: str) -> tuple[Any, ...]:
        row = report.get(q, {})
        return (
            row.get("offered", 0),
            row.get("answered", 0),
            row.get("abandoned", 0),
            row.get("sl_pct"),
        )

    assert wall("sales") == rep("sales") == (3, 1, 2, pytest.approx(50.0))
    assert wall("support") == rep("support") == (1, 1, 0, pytest.approx(0.0))
    assert live["sales"]["abandon_rate_pct"] == pytest.approx(100 * 2 / 3)
    # nothing offered: no service level, no abandon rate (shown "—"), on both sides
    assert "complaints" in report and report["complaints"]["offered"] == 0
    assert wall("complaints") == (0, 0, 0, None) and rep("complaints")[3] is None
    assert live["complaints"]["abandon_rate_pct"] is None
    # the day chart adds up to the same
    assert sum(i["offered"] for i in intervals) == 4
    assert sum(i["answered"] for i in intervals) == 2
    assert all(i["answered"] <= i["offered"] for i in intervals)
