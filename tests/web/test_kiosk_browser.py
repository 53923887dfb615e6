"""The kiosk view of a wall screen in Chromium: the ``wallboard`` role lands on it, large type, no
buttons, figures live; an admin ends its session from the Users page and the screen is refused
(its live feed stops, a reload asks to sign in). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import PASSWORD, Server
from playwright.async_api import Browser, expect

from kernel.runtime import Runtime
from web.session.users import create_user

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def test_kiosk_is_read_only_and_revocable(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    await create_user(web_rt.engine, "wally", PASSWORD, "wallboard", now=datetime.now(UTC))
    screen = await sign_in(browser, server, "wally", "/kiosk")
    await expect(screen.locator("#live-status")).to_have_attribute("data-state", "live")
    await expect(screen.locator(".kiosk-queue")).to_have_count(3)
    await expect(screen.locator('.kiosk-queue[data-queue="sales"] h2')).to_have_text("Sales")
    await expect(screen.locator("#k-sl")).to_have_text("—")  # nothing offered yet
    await expect(screen.locator("#kiosk-chart .main-svg").first).to_be_visible()
    assert await screen.locator("button:visible, a:visible, input:visible").count() == 0
    size = await screen.locator("#k-waiting").evaluate("e => getComputedStyle(e).fontSize")
    assert float(size.removesuffix("px")) >= 60  # readable across a room
    await screen.wait_for_timeout(500)  # the chart finishes drawing for the screenshot
    await shot(screen, artifacts / "kiosk.png")
    await screen.goto(f"{server.url}/wallboard")  # the supervisor's page is not for it
    await expect(screen.locator("body")).to_contain_text("this page is for supervisor")
    await screen.goto(f"{server.url}/kiosk")
    await expect(screen.locator("#live-status")).to_have_attribute("data-state", "live")

    admin = await sign_in(browser, server, "ada", "/admin/users")
    row = admin.locator('tr[data-user="wally"]')
    await row.locator('button[data-action="revoke"]').click()
    await expect(admin.locator("#toast")).to_contain_text("sessions of wally ended")
    await expect(screen.locator("#session-ended")).to_contain_text("Live feed stopped")
    await screen.reload()
    await expect(screen).to_have_url(re.compile(r"/login"))
    no_js_errors(screen, "403", "401")
