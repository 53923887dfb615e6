"""The wallboard's day chart in a real browser: the intervals of a telephony gap are shaded and
labelled "no data" (screenshot in tests/artifacts/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from kernel.events import DomainEvent, make_event_id
from kernel.runtime import Runtime
from store.writer import write_events

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def test_gap_intervals_are_shown_as_no_data(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    now = datetime.now(UTC)
    start = max(
        now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1),
        now.replace(hour=0, minute=0, second=0, microsecond=0),
    )
    end = start + timedelta(minutes=40)  # touches two 30-minute intervals (if today so far)
    payload = {"source": "pbx:5038", "from_at": start.isoformat(), "to_at": end.isoformat()}
    gap = DomainEvent(make_event_id("gap", start), end, "telephony.gap", payload=payload)
    async with web_rt.engine.begin() as conn:
        await write_events(conn, [gap])
    page = await sign_in(browser, server, "sue", "/wallboard")
    chart = page.locator("#day-chart")
    # one band for the run of intervals it touched
    await expect(chart.locator("text.annotation-text", has_text="no data")).to_have_count(1)
    await shot(page, artifacts / "wallboard-gap-no-data.png")
    no_js_errors(page)
