"""Time off in a real browser: an agent asks for a day off from the shifts page, the planner
sees the check and approves it, the roster changes and the agent's page shows the day off;
screenshots in tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from workforce.planner_store import publish_roster, save_planned_roster

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def next_week_roster(rt: Runtime) -> tuple[int, datetime]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    mon = today + timedelta(days=7 - today.weekday())
    rows = []
    for agent, days in (("a1", (0, 1, 2)), ("a2", (0, 3))):
        for d in days:
            s = pd.Timestamp(mon + timedelta(days=d, hours=8))
            rows.append((agent, "shift", s, s + pd.Timedelta(hours=8)))
            rows.append((agent, "lunch", s + pd.Timedelta(hours=4), s + pd.Timedelta(hours=5)))
    frame = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
    required = pd.Series(1.0, index=pd.date_range(mon, periods=7 * 48, freq="30min"))
    rid = await save_planned_roster(
        rt.engine, frame, required, by="pat", now=mon, settings={"weekly_hours_max": 40}, figures={}
    )
    await publish_roster(rt.engine, rid, mon)
    return rid, mon


async def test_agent_asks_time_off_planner_approves_roster_changes(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    rid, mon = await next_week_roster(web_rt)
    week = mon.date().isoformat()
    agent = await sign_in(browser, server, "alice", f"/agent/shifts?week_start={week}")
    await expect(agent.locator("body")).to_have_attribute("data-shifts", "ready")
    await expect(agent.locator("#k-shifts")).to_have_text("3")
    tuesday = (mon + timedelta(days=1)).date().isoformat()
    await agent.locator(f'.shift-day[data-day="{tuesday}"] .ask-change').click()
    await expect(agent.locator("#request-dialog")).to_be_visible()
    await agent.fill("#request-reason", "family wedding")
    await shot(agent, artifacts / "shift-request-dialog.png")
    await agent.click("#request-send")
    await expect(agent.locator("#request-dialog")).to_be_hidden()
    await expect(agent.locator('#requests tr[data-status="pending"]')).to_have_count(1)
    await shot(agent, artifacts / "shift-request-pending.png")

    planner = await sign_in(browser, server, "pat", "/planner/requests")
    await expect(planner.locator("body")).to_have_attribute("data-requests", "ready")
    row = planner.locator('#requests tr[data-status="pending"]')
    await expect(row).to_have_count(1)
    await expect(row.locator(".check")).to_contain_text("Labour rules hold")
    await expect(row.locator(".check")).to_contain_text("agent-hours short of the requirement")
    await expect(row).to_contain_text("family wedding")
    await shot(planner, artifacts / "shift-requests-planner.png")
    await row.locator('button[data-approve="true"]').click()
    done = planner.locator('#requests tr[data-status="approved"]')
    await expect(done).to_have_count(1)
    await expect(done.locator(".check")).to_contain_text("(")  # before → after agent-hours
    await shot(planner, artifacts / "shift-requests-approved.png")
    await planner.goto(f"{server.url}/planner/rosters/{rid}")
    await expect(planner.locator("body")).to_have_attribute("data-roster", "ready")
    await expect(planner.locator('#roster-grid tr[data-agent="a1"] .bar')).to_have_count(2)
    await shot(planner, artifacts / "shift-request-roster.png")
    no_js_errors(planner)

    await agent.reload()
    await expect(agent.locator("body")).to_have_attribute("data-shifts", "ready")
    await expect(agent.locator("#k-shifts")).to_have_text("2")
    await expect(agent.locator(f'.shift-day[data-day="{tuesday}"] .off')).to_have_text("Day off")
    await expect(agent.locator('#requests tr[data-status="approved"]')).to_have_count(1)
    await shot(agent, artifacts / "shift-request-agent-after.png")
    no_js_errors(agent)
