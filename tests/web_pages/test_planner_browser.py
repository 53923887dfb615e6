"""The planner's week in a real browser (Chromium in Asia/Shanghai, the centre in
America/New_York: every time on the pages is the centre's): pick a week, upload an
opening-hours-only history, generate a roster that cannot meet the requirement and see it
explained; screenshots in tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.history import history_csv, opening_hours_only
from callcenter_testkit.webtools import Server, web_settings
from playwright.async_api import Browser, expect

from kernel.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
TZ = "America/New_York"


@pytest.fixture
def settings(prefix: str) -> Settings:
    from tests.web_pages.conftest import agent_configs

    return web_settings(prefix, agents=agent_configs(6), timezone=TZ)


async def test_planner_picks_a_week_and_sees_an_infeasible_roster_explained(
    browser: Browser, server: Server, artifacts: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "acd-export.csv"
    csv_path.write_text(opening_hours_only(history_csv(3)))
    page = await sign_in(browser, server, "pat", "/planner")
    await expect(page.locator("body")).to_have_attribute("data-wired", "yes")
    await page.fill("#week-start", "2027-01-06")  # a Wednesday: its week is planned
    await page.dispatch_event("#week-start", "change")
    await page.set_input_files("#history-file", str(csv_path))
    await expect(page.locator("#history-status")).to_contain_text("21 days")
    await expect(page.locator("body")).to_have_attribute("data-week", "2027-01-04")
    await expect(page.locator("#week-label")).to_have_text(
        f"Week of 4 Jan 2027 · Monday to Sunday, times in {TZ}"
    )
    await expect(page.locator("#forecast-chart .main-svg").first).to_be_visible()
    await shot(page, artifacts / "planner-week-opening-hours.png")

    await page.fill('#roster-form input[name="time_limit_s"]', "6")
    await page.click("#generate")
    await expect(page.locator("#progress")).to_be_visible()
    await shot(page, artifacts / "planner-infeasible-progress.png")
    await expect(page.locator("#p-title")).to_have_text(
        "Roster cannot meet the requirement", timeout=90_000
    )
    await expect(page.locator("#p-bound")).not_to_have_text("0.0")
    await expect(page.locator("#p-message")).to_contain_text("agent-hours short")
    await expect(page.locator("#p-message")).to_contain_text("6 agents at most 40 h each")
    await shot(page, artifacts / "planner-infeasible-done.png")
    await page.click("#open-roster")

    await expect(page.locator("body")).to_have_attribute("data-roster", "ready")
    await expect(page.locator("#roster-name")).to_have_text("Week of 2027-01-04")
    await expect(page.locator("#shortfall")).to_be_visible()
    await expect(page.locator("#shortfall-text")).to_contain_text("cannot meet the requirement")
    first = page.locator("#shortfall-rows tr").first
    # in the centre's zone: the history's 08:00-20:00 (+08:00) is 19:00-07:00 in New York
    await expect(first.locator("td").first).to_contain_text("Jan 2027")
    assert await page.locator("#shortfall-rows tr").count() > 0
    await expect(page.locator("#tz-note")).to_contain_text(TZ)
    await shot(page, artifacts / "planner-infeasible-roster.png")
    no_js_errors(page)
