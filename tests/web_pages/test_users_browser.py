"""The Users page in a real browser: a user locked out by wrong passwords shows as locked, the
admin unlocks them and they sign in at once; the admin adds a user from the form (screenshot in
tests/artifacts/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import PASSWORD, Server
from playwright.async_api import Browser, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def _login_form(page: Page, server: Server, username: str, password: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#sign-in")
    await page.wait_for_load_state("networkidle")


async def test_admin_unlocks_a_locked_user(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    bob = await (await browser.new_context()).new_page()
    for _ in range(3):  # the web tests' limit per (user, address)
        await _login_form(bob, server, "bob", "not-his-password")
        await expect(bob.get_by_text("Wrong user name or password.")).to_be_visible()
    await _login_form(bob, server, "bob", PASSWORD)
    await expect(bob.get_by_text("too many failed sign-ins")).to_be_visible()

    admin = await sign_in(browser, server, "ada", "/admin/users")
    row = admin.locator("tr[data-user=bob]")
    await expect(row.locator("td.late")).to_contain_text("from 127.0.0.1")
    await expect(admin.locator("#locked-count")).to_have_text("1 locked")
    await expect(admin.locator("nav.main-nav a.on")).to_have_text("Users")
    await shot(admin, artifacts / "users-locked.png")
    await row.locator("[data-action=unlock]").click()
    await expect(admin.locator("#toast")).to_have_text("bob unlocked")
    await expect(row.locator("td.late")).to_have_count(0)
    await expect(admin.locator("#locked-count")).to_have_text("0 locked")

    form = admin.locator("#add-user")
    await form.locator("[name=username]").fill("mei")
    await form.locator("[name=display_name]").fill("Mei Zhou")
    await form.locator("[name=role]").select_option("agent")
    await form.locator("[name=agent_id]").fill("a3")
    await form.locator("[name=password]").fill("a-new-password")
    await form.locator("button[type=submit]").click()
    await expect(admin.locator("tr[data-user=mei]")).to_contain_text("a3")
    await form.locator("[name=username]").fill("kim")
    await form.locator("[name=agent_id]").fill("9999")
    await form.locator("[name=password]").fill("a-new-password")
    await form.locator("button[type=submit]").click()
    await expect(admin.locator("#toast")).to_contain_text("agent_id: no agent '9999'")
    await expect(admin.locator("#toast")).to_have_attribute("data-kind", "bad")
    # the bar's colour fades in: wait for the error red (--bad) before the screenshot
    await expect(admin.locator("#toast")).to_have_css("border-left-color", "rgb(240, 86, 74)")
    await expect(admin.locator("#live-status")).to_have_attribute("data-state", "live")
    await shot(admin, artifacts / "users-unlocked.png")
    no_js_errors(admin, "422 ")

    await _login_form(bob, server, "bob", PASSWORD)
    await expect(bob).to_have_url(re.compile(r"/agent$"))
