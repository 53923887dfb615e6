"""The planner, QA and complaint pages in a real browser (Debian's Chromium driven by Playwright)
against the real application, Redis and SQLite; screenshots go to tests/artifacts/.

- a planner uploads a history CSV, sees the forecast chart, generates a roster for 60 agents with
  the solver's progress, sees the grid, moves a shift (coverage follows) and publishes; the agent
  then sees its shifts;
- a QA evaluator draws the week's sample and scores a call with a critical item failed: 0; the
  agent disputes it, a supervisor resolves it;
- a supervisor sees an overdue complaint highlighted, assigns it and changes its status.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.history import history_csv
from callcenter_testkit.webtools import Server, handled_call
from playwright.async_api import Browser, expect

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from kernel.runtime import Runtime
from qa.periods import parse_period
from store.models.core import Call

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
CRITICAL_ITEM = "verify.identity"
NOTES = "Customer could not log in; reset the password and checked the account."


async def test_planner_rosters_and_publishes_agent_sees_shifts(
    browser: Browser, server: Server, artifacts: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "history.csv"
    csv_path.write_text(history_csv(3))
    page = await sign_in(browser, server, "pat", "/planner")
    # the module (it imports plotly) may still be evaluating after the network went quiet
    await expect(page.locator("body")).to_have_attribute("data-wired", "yes")
    await page.set_input_files("#history-file", str(csv_path))
    await expect(page.locator("#history-status")).to_contain_text("21 days")
    await expect(page.locator("body")).to_have_attribute("data-forecast", "ready")
    week = await page.locator("body").get_attribute("data-week")  # next week by default
    await expect(page.locator("#forecast-chart .main-svg").first).to_be_visible()
    await expect(page.locator("#k-error")).to_have_text(re.compile(r"\d+(\.\d)?%"))
    peak_before = int(await page.locator("#k-peak").inner_text())
    await page.fill('#target input[name="service_level_pct"]', "95")
    await expect(page.locator("#k-peak")).not_to_have_text(str(peak_before))
    await page.fill('#target input[name="service_level_pct"]', "80")
    await expect(page.locator("#k-peak")).to_have_text(str(peak_before))
    await shot(page, artifacts / "planner-forecast.png")

    await page.fill('#roster-form input[name="time_limit_s"]', "12")
    await page.click("#generate")
    await expect(page.locator("#progress")).to_be_visible()
    await expect(page.locator("#cancel")).to_be_visible()
    await expect(page.locator("#p-objective")).not_to_have_text("—", timeout=30_000)
    await shot(page, artifacts / "planner-roster-progress.png")
    await expect(page.locator("#open-roster")).to_be_visible(timeout=90_000)
    assert float((await page.locator("#p-elapsed").inner_text()).split()[0]) > 0
    await page.click("#open-roster")

    await expect(page.locator("body")).to_have_attribute("data-roster", "ready")
    rows = page.locator("#roster-grid tbody tr")
    assert await rows.count() >= 45  # most of the 60 agents get shifts
    await expect(page.locator("#coverage-chart .main-svg").first).to_be_visible()
    await shot(page, artifacts / "planner-roster-grid.png")

    bar = page.locator('#roster-grid tbody tr[data-agent="a1"] .bar').first
    before = await bar.get_attribute("title")
    assert before is not None
    await bar.click()
    await expect(page.locator("#move-dialog")).to_be_visible()
    start = await page.input_value("#move-start")
    end = await page.input_value("#move-end")

    def later(hm: str) -> str:
        h, m = map(int, hm.split(":"))
        return f"{h + 1:02d}:{m:02d}"

    await page.fill("#move-start", later(start))
    await page.fill("#move-end", later(end))
    await page.screenshot(path=artifacts / "planner-move-dialog.png")
    await page.click("#move-save")
    await expect(page.locator("#move-dialog")).to_be_hidden()
    moved = page.locator('#roster-grid tbody tr[data-agent="a1"] .bar.moved')
    await expect(moved).to_have_count(1)
    await expect(moved).to_have_attribute("title", re.compile(f"{later(start)}–{later(end)}"))
    await page.click("#publish")
    await expect(page.locator("#publish-dialog")).to_be_visible()  # confirm first
    await page.click("#publish-confirm")
    await expect(page.locator("#roster-status")).to_have_text("published")
    await shot(page, artifacts / "planner-roster-published.png")
    no_js_errors(page)

    agent = await sign_in(browser, server, "alice", f"/agent/shifts?week_start={week}")
    await expect(agent.locator("body")).to_have_attribute("data-shifts", "ready")
    await expect(agent.locator(".shift-time").first).to_be_visible()
    assert int(await agent.locator("#k-shifts").inner_text()) >= 1
    await shot(agent, artifacts / "agent-shifts.png")
    await expect(
        agent.locator(".shift-time", has_text=f"{later(start)} – {later(end)}")
    ).to_have_count(1)
    await shot(agent, artifacts / "agent-shifts.png")
    no_js_errors(agent)


async def _seed_calls(rt: Runtime, week: str) -> None:
    """Four handled calls of a1 in ``week`` (the week the QA page draws), none in the future."""
    period = parse_period(week, rt.settings.timezone)
    span = max(min(datetime.now(UTC), period.end_at) - period.start_at, timedelta(0))
    rows = [
        handled_call(f"c-qa-{i}", "a1", period.start_at + span * (i + 1) / 5, notes=NOTES)
        for i in range(4)
    ]
    async with rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), rows)


async def test_qa_critical_fail_dispute_and_resolution(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    qa = await sign_in(browser, server, "quinn", "/qa")
    # the week the page draws, from the server's clock: seed that week, whatever today is
    week = await qa.input_value('#filters input[name="week"]')
    await qa.click("#draw")  # nothing in the week yet: an empty draw, said plainly
    await expect(qa.locator("#samples .empty-row")).to_contain_text(f"No calls in {week}")
    await shot(qa, artifacts / "qa-samples-empty.png")
    await _seed_calls(web_rt, week)
    await qa.click("#draw")
    row = qa.locator("#samples tr[data-call]").first
    await expect(row).to_be_visible()
    await shot(qa, artifacts / "qa-samples.png")
    call_id = await row.get_attribute("data-call")
    await row.click()
    await expect(qa).to_have_url(re.compile(f"/qa/calls/{call_id}"))
    await expect(qa.locator("#notes")).to_contain_text("reset the password")
    await expect(qa.locator(".qa-item").first).to_be_visible()
    for label in await qa.locator(
        '.qa-item label:has(input[value="yes"]), .qa-item label.scale:last-of-type'
    ).all():
        await label.click()
    await qa.locator(f'.qa-item[data-item="{CRITICAL_ITEM}"] label:has(input[value="no"])').click()
    await qa.fill("#comment", "Did not verify the caller before discussing the account.")
    await qa.click("#submit")
    await expect(qa.locator("#score")).to_have_text("0")
    await expect(qa.locator("#critical")).to_have_attribute("data-items", CRITICAL_ITEM)
    await shot(qa, artifacts / "qa-evaluation-critical.png")
    # the call was not recorded: the recording's 404 (which Chromium logs) and the page says so
    await expect(qa.locator("#rec-status")).to_have_text("This call was not recorded.")
    no_js_errors(qa, "/api/recordings/c-qa-3", "status of 404")

    agent = await sign_in(browser, server, "alice", "/qa/evaluations")
    card = agent.locator(".eval-card").first
    await expect(card).to_have_attribute("data-status", "submitted")
    await card.locator(".dispute-comment").fill("I did verify the customer: date of birth at 0:40.")
    await card.locator(".dispute").click()
    await expect(agent.locator(".eval-card").first).to_have_attribute("data-status", "disputed")
    await shot(agent, artifacts / "qa-agent-dispute.png")
    no_js_errors(agent)

    sup = await sign_in(browser, server, "sue", "/qa/evaluations")
    card = sup.locator('.eval-card[data-status="disputed"]').first
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("date of birth")
    await shot(sup, artifacts / "qa-supervisor-dispute.png")
    await card.locator(".resolve-comment").fill("Recording confirms the verification.")
    await card.locator(f'input[value="{CRITICAL_ITEM}"]').check()
    await card.locator(".amend").click()
    await sup.select_option('#filters select[name="status"]', "")
    resolved = sup.locator('.eval-card[data-status="resolved"]').first
    await expect(resolved).to_be_visible()
    await expect(resolved.locator(".eval-score")).not_to_have_text("0")
    await shot(sup, artifacts / "qa-supervisor-resolved.png")
    no_js_errors(sup)


async def test_supervisor_sees_overdue_complaint_highlighted(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    config = ComplaintConfig.from_settings(web_rt.settings)
    now = datetime.now(UTC)
    late = await open_complaint(
        web_rt.engine,
        category="service",
        severity="high",
        description="Charged twice for the November plan",
        now=now - timedelta(days=6),
        config=config,
        wish="refund",
    )
    fresh = await open_complaint(
        web_rt.engine,
        category="quality",
        severity="low",
        description="Parcel left at the wrong door",
        now=now,
        config=config,
    )
    page = await sign_in(browser, server, "sue", "/complaints")
    overdue = page.locator(f'#tickets tr[data-complaint="{late}"]')
    await expect(overdue).to_have_class(re.compile(r"\boverdue\b"))
    await expect(page.locator(f'#tickets tr[data-complaint="{fresh}"]')).not_to_have_class(
        re.compile(r"\boverdue\b")
    )
    await expect(page.locator("#overdue-count")).to_have_text("1 overdue")
    await overdue.click()
    await expect(page.locator("#t-id")).to_have_text(late)
    await page.select_option("#t-assignee", "a2")
    await page.click("#t-save-assign")
    await expect(page.locator("#t-history")).to_contain_text("Assigned to Bob Li")
    await page.select_option("#t-status", "acknowledged")
    await page.fill("#t-note", "Called the customer back, refund requested from billing.")
    await page.click("#t-save-status")
    await expect(page.locator("#t-history")).to_contain_text("Status acknowledged")
    await shot(page, artifacts / "complaints-desk.png")
    no_js_errors(page)

    await page.goto(f"{server.url}/complaints/reports")
    await expect(page.locator("body")).to_have_attribute("data-reports", "ready")
    await shot(page, artifacts / "complaints-reports.png")
    no_js_errors(page)
