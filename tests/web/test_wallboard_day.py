"""The wallboard's day chart spans the centre's opening hours in the centre's time zone (not
midnight to now), widened to an interval that had calls outside them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from callcenter_testkit.webtools import Login, Server, web_settings

from kernel.events import DomainEvent, make_event_id
from kernel.settings import Settings
from store.writer import write_events
from web.keys import RUNTIME
from web.supervisor.wallboard import chart_span

NOW = datetime.now(UTC)
# a centre whose clock reads about 10:00 now, whenever the test runs (Etc/GMT-X is UTC+X)
OFFSET_H = (10 - NOW.hour) % 24 - (24 if (10 - NOW.hour) % 24 > 14 else 0)
TZ = f"Etc/GMT{-OFFSET_H:+d}" if OFFSET_H else "UTC"


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix, timezone=TZ, opening_hours={"opens": "12:00", "closes": "20:00"})


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


def test_span_is_the_opening_hours_widened_to_busy_intervals() -> None:
    t = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    step = timedelta(minutes=30)
    assert chart_span(t, t + timedelta(hours=12), [], step) == (t, t + timedelta(hours=12))
    early, late = t - timedelta(hours=1), t + timedelta(hours=13)
    assert chart_span(t, t + timedelta(hours=12), [early, late], step) == (early, late + step)


async def test_day_chart_spans_the_opening_hours(login: Login, server: Server) -> None:
    rt = server.app[RUNTIME]
    tz = ZoneInfo(TZ)
    arrived = datetime.now(UTC) - timedelta(minutes=1)  # about 10:00 local: before opening
    events = [
        DomainEvent(
            make_event_id("c1", "arrived"),
            arrived,
            "call.arrived",
            call_id="c1",
            payload={"queue": "sales", "direction": "inbound", "caller": "+8613800000000"},
        ),
        DomainEvent(
            make_event_id("c1", "abandoned"),
            arrived + timedelta(seconds=30),
            "call.abandoned",
            call_id="c1",
            payload={"queue": "sales"},
        ),
    ]
    async with rt.engine.begin() as conn:
        await write_events(conn, events)
    s = await login("sue")
    async with s.get("/api/wallboard/day", params={"interval_min": 30}) as r:
        assert r.status == 200, await r.text()
        day = await r.json()
    local = arrived.astimezone(tz)
    first = local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0)
    assert datetime.fromisoformat(day["from_at"]) == first  # widened to the early call
    closes = datetime.fromisoformat(day["to_at"])
    assert closes == local.replace(hour=20, minute=0, second=0, microsecond=0)
    assert closes.utcoffset() == timedelta(hours=OFFSET_H)  # the centre's clock
    [interval] = day["intervals"]  # nothing before the span, nothing after now
    assert datetime.fromisoformat(interval["start_at"]) == first
    assert (interval["offered"], interval["abandoned"], interval["answered"]) == (1, 1, 0)
    assert interval["service_level_pct"] == 0  # the abandon counts against it
