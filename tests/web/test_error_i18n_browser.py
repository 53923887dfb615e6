"""The error page, the home page and the pages' error display in zh_CN in a real browser: the
server's error page says what was refused in Chinese, and the pages' JavaScript shows an API
error as ``field：message`` with the message as the server localised it (screenshots in
tests/artifacts/i18n-error-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from callcenter_testkit.browsing import chinese_page, no_js_errors, shot
from callcenter_testkit.webtools import PASSWORD, Server
from playwright.async_api import Browser, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def _chinese_signed_in(browser: Browser, server: Server, username: str) -> Page:
    page = await chinese_page(browser)
    await page.goto(f"{server.url}/login?next=/home")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(re.compile(r"/home$"))
    return page


async def test_error_and_home_pages_in_chinese(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    page = await _chinese_signed_in(browser, server, "sue")
    await expect(page.locator("h1")).to_have_text("欢迎，Sue")
    await shot(page, artifacts / "i18n-error-home-zh_CN.png")
    resp = await page.goto(f"{server.url}/admin/agents")  # an administrator's page
    assert resp is not None and resp.status == 403
    await expect(page.locator("#error-message")).to_have_text(
        "此页面供管理员使用；你的角色是客服主管"
    )
    await expect(page.get_by_role("link", name="返回我的页面")).to_be_visible()
    await shot(page, artifacts / "i18n-error-403-zh_CN.png")
    no_js_errors(page, "status of 403")  # the refused page itself


async def test_the_pages_show_api_errors_in_chinese(browser: Browser, server: Server) -> None:
    page = await _chinese_signed_in(browser, server, "sue")
    said = await page.evaluate(
        """async () => {
          const { api } = await import("/static/js/api.js");
          const { errorText } = await import("/static/js/helpers.js");
          try {
            await api("GET", "/api/wallboard/day?queue=nope");
          } catch (err) {
            return [err.status, err.field, errorText(err)];
          }
          return null;
        }"""
    )
    assert said == [422, "queue", "queue：没有这个队列"]
