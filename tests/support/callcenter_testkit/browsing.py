"""Browser helpers of the page tests: sign in through the form, screenshots, JavaScript errors."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from callcenter_testkit.webtools import PASSWORD, Server, watch_csp

expect.set_options(timeout=20_000)  # the machine is shared: be patient, never flaky


async def sign_in(browser: Browser, server: Server, username: str, path: str) -> Page:
    ctx = await browser.new_context(
        viewport={"width": 1600, "height": 1000}, timezone_id="Asia/Shanghai"
    )
    errors: list[str] = []
    await watch_csp(ctx, errors)
    page = await ctx.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{server.url}/login?next={path}")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))
    await page.wait_for_load_state("networkidle")
    return page


async def shot(page: Page, path: Path) -> None:
    """A full-page screenshot from the top (sticky bars stay where a user sees them)."""
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=path, full_page=True)


def no_js_errors(page: Page, *expected: str) -> None:
    errors = [
        e
        for e in page.errors  # type: ignore[attr-defined]
        if not any(x in e for x in expected)
    ]
    assert errors == [], errors
