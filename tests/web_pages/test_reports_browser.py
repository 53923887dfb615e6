"""The Reports page in a real browser: a known day's intervals and agents reports drawn as
charts and a table ("—" where nothing was offered), and the XLSX download (screenshots in
tests/artifacts/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.report_day import known_day
from callcenter_testkit.webtools import Server, web_settings
from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from kernel.settings import Settings
from store.writer import write_events

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix, timezone="Asia/Shanghai")


async def test_reports_page_draws_the_day_and_downloads_xlsx(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    async with web_rt.engine.begin() as conn:
        await write_events(conn, known_day())
    page = await sign_in(browser, server, "sue", "/reports")
    await page.fill("#from", "2026-12-07")
    await page.fill("#to", "2026-12-07")
    await page.select_option("#interval", "60")
    await page.click("#report-form button")
    table = page.locator("#report-table")
    row = table.locator("tr", has_text="Dec 7, 2026 09:00").filter(has_text="sales")
    await expect(row.locator("td").nth(2)).to_have_text("6")  # offered
    await expect(row.locator("td").nth(7)).to_have_text("50")  # sl_pct
    quiet = table.locator("tr", has_text="Dec 7, 2026 03:00").filter(has_text="sales")
    await expect(quiet.locator("td").nth(7)).to_have_text("—")
    await expect(page.locator("#chart-a .main-svg").first).to_be_visible()
    await shot(page, artifacts / "reports-intervals.png")

    await page.select_option("#kind", "agents")
    await expect(table.locator("tr", has_text="lunch")).to_have_count(1)
    await expect(page.locator("body")).to_have_attribute("data-report", "agents")
    await shot(page, artifacts / "reports-agents.png")

    async with page.expect_download() as info:
        await page.click("#xlsx")
    download = await info.value
    assert download.suggested_filename == "agents-2026-12-07-2026-12-07.xlsx"
    saved = artifacts / "reports-agents.xlsx"
    await download.save_as(saved)
    sheet = load_workbook(saved, read_only=True)["agents"]
    header = next(sheet.iter_rows(values_only=True))
    assert header[:4] == ("agent_id", "state", "reason", "state_s")
    no_js_errors(page)
