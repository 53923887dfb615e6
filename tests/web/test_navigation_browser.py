"""The one navigation in a real browser, for each role: the links it shows (screenshot per role in
tests/artifacts/nav-<role>.png), each link clicked opening its page marked current without a
JavaScript or HTTP error; on a phone-size screen it folds behind "Menu"; the wallboard's
overdue-complaint alert is a link to the ticket on the complaints page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from kernel.runtime import Runtime

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROLES = {
    "alice": ("/agent", ["Desk", "My shifts", "My evaluations"]),
    "sue": (
        "/wallboard",
        [
            "Wallboard",
            "Complaints",
            "Complaint reports",
            "Reports",
            "Wall screen",
            "Call scripts",
            "Adherence",
            "Evaluations & disputes",
            "Calibration",
            "Scorecards",
        ],
    ),
    "pat": ("/planner", ["Forecast & roster", "Rosters", "Shift requests", "Adherence"]),
    "quinn": ("/qa", ["Calls to evaluate", "Evaluations & disputes", "Calibration", "Scorecards"]),
    "ada": (
        "/wallboard",
        [
            "Wallboard",
            "Complaints",
            "Complaint reports",
            "Reports",
            "Wall screen",
            "Call scripts",
            "Forecast & roster",
            "Rosters",
            "Shift requests",
            "Adherence",
            "Calls to evaluate",
            "Evaluations & disputes",
            "Calibration",
            "Scorecards",
            "Users",
            "Agents",
            "Queues",
            "Teams",
            "QA form",
        ],
    ),
}


@pytest.mark.parametrize("username", list(ROLES))
async def test_navigation_of_each_role(
    browser: Browser, server: Server, artifacts: Path, username: str
) -> None:
    home, labels = ROLES[username]
    page = await sign_in(browser, server, username, home)
    nav = page.locator("#main-nav")
    await expect(nav.locator("a")).to_have_text(labels)
    await shot(page, artifacts / f"nav-{username}.png")
    for label in labels:
        await nav.get_by_role("link", name=label, exact=True).click()
        if label == "Wall screen":  # the kiosk view shows no navigation (nothing to click)
            await expect(page).to_have_url(re.compile(r"/kiosk$"))
            await expect(page.locator(".kiosk")).to_be_visible()
            await expect(nav).to_be_hidden()
            await page.go_back()
            continue
        await expect(nav.locator("a.on")).to_have_text([label])
        await page.wait_for_load_state("networkidle")
        await expect(page.locator("#error-message")).to_have_count(0)
    no_js_errors(page)


async def test_navigation_folds_on_a_phone(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    page = await sign_in(browser, server, "sue", "/complaints")
    await page.set_viewport_size({"width": 390, "height": 844})
    nav = page.locator("#main-nav")
    await expect(nav).to_be_hidden()
    await page.click("#nav-toggle")
    await expect(nav.get_by_role("link", name="Reports", exact=True)).to_be_visible()
    await expect(page.locator("#nav-toggle")).to_have_attribute("aria-expanded", "true")
    await shot(page, artifacts / "nav-phone-open.png")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await nav.get_by_role("link", name="Reports", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/reports$"))
    await expect(page.locator("#main-nav")).to_be_hidden()


async def test_overdue_alert_links_to_the_ticket(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    await open_complaint(
        web_rt.engine,
        category="service",
        severity="critical",
        description="charged twice",
        now=datetime.now(UTC) - timedelta(days=10),
        config=ComplaintConfig.from_settings(web_rt.settings),
        complaint_id="cmp-late-1",
    )
    page = await sign_in(browser, server, "sue", "/wallboard")
    alert = page.locator("a.alert-item.complaint")
    await expect(alert).to_contain_text("cmp-late-1")
    await alert.click()
    await expect(page).to_have_url(re.compile(r"/complaints\?ticket=cmp-late-1$"))
    await expect(page.locator("#t-id")).to_have_text("cmp-late-1")
    await shot(page, artifacts / "nav-overdue-ticket.png")
    no_js_errors(page)
