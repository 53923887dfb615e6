"""Browser helpers of the page tests: sign in through the form, screenshots, JavaScript errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from callcenter_testkit.webtools import PASSWORD, Server, watch_csp

expect.set_options(timeout=20_000)  # the machine is shared: be patient, never flaky


async def new_page(
    browser: Browser,
    *,
    permissions: list[str] | None = None,
    init_script: str | None = None,
    locale: str = "en-US",
) -> Page:
    """A page in a new context granted ``permissions`` (e.g. ``notifications``) whose pages run
    ``init_script`` before the page's own scripts; the browser's language is ``locale`` (its
    Accept-Language: ``zh-CN`` gives the zh_CN pages). ``page.errors`` collects JavaScript
    errors, CSP violations and HTTP errors (``no_js_errors``)."""
    ctx = await browser.new_context(
        viewport={"width": 1600, "height": 1000},
        timezone_id="Asia/Shanghai",
        permissions=permissions or [],
        locale=locale,
    )
    if init_script:
        await ctx.add_init_script(init_script)
    errors: list[str] = []
    await watch_csp(ctx, errors)
    page = await ctx.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.errors = errors  # type: ignore[attr-defined]
    return page


async def sign_in(
    browser: Browser,
    server: Server,
    username: str,
    path: str,
    *,
    permissions: list[str] | None = None,
    init_script: str | None = None,
    locale: str = "en-US",
) -> Page:
    """Sign ``username`` in through the form and open ``path`` (``new_page`` for the rest)."""
    page = await new_page(browser, permissions=permissions, init_script=init_script, locale=locale)
    return await sign_in_on(page, server, username, path)


async def sign_in_on(page: Page, server: Server, username: str, path: str) -> Page:
    """Sign ``username`` in through the form of ``page`` and wait for ``path`` to settle."""
    await page.goto(f"{server.url}/login?next={path}")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))
    await page.wait_for_load_state("networkidle")
    return page


async def sign_in_chinese(
    browser: Browser, server: Server, username: str, path: str, width: int = 1400
) -> Page:
    """``chinese_page`` with ``username`` signed in and on ``path``."""
    return await sign_in_on(await chinese_page(browser, width, 900), server, username, path)


async def ready_agent(browser: Browser, server: Server, **context: Any) -> Page:
    """Alice signed in on her desk (``context``: what ``sign_in`` takes), logged in and ready."""
    page = await sign_in(browser, server, "alice", "/agent", **context)
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    await page.click("#btn-login")
    await expect(page.locator("#state-pill")).not_to_have_text("logged out")
    await page.click("#btn-ready")
    await expect(page.locator("#state-pill")).to_have_text("ready")
    return page


async def chinese_page(browser: Browser, width: int = 1400, height: int = 800) -> Page:
    """A page of a new zh-CN browser context (Shanghai time) collecting its JavaScript errors
    and CSP reports in ``page.errors``."""
    ctx = await browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    errors: list[str] = []
    await watch_csp(ctx, errors)
    page = await ctx.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
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
