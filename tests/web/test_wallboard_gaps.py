"""The wallboard's day chart says "no data" for the intervals of a telephony gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter_testkit.webtools import Login, Server

from kernel.events import DomainEvent, make_event_id
from store.writer import write_events
from web.keys import RUNTIME


async def test_day_intervals_of_a_gap_are_no_data(login: Login, server: Server) -> None:
    rt = server.app[RUNTIME]
    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(minutes=30)
    if start.date() != now.date():  # just after midnight: stay within today
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=5)
    payload = {"source": "pbx:5038", "from_at": start.isoformat(), "to_at": end.isoformat()}
    gap = DomainEvent(make_event_id("gap", start), end, "telephony.gap", payload=payload)
    async with rt.engine.begin() as conn:
        await write_events(conn, [gap])
    s = await login("sue")
    async with s.get("/api/wallboard/day", params={"interval_min": 30}) as r:
        assert r.status == 200
        intervals = (await r.json())["intervals"]
    flagged = [i["start_at"] for i in intervals if i["no_data"]]
    assert [datetime.fromisoformat(f) for f in flagged] == [start]
    assert all(i["offered"] == 0 for i in intervals)
